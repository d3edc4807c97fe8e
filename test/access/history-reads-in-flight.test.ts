/**
 * A read of a board's history on its way while its reader is removed: the
 * answer was refused (`boardRoleUntilAnswered`), yet the audit log said the
 * removed member had viewed the board as of that moment (or its sessions, or
 * a card's changes). The entry now says what happened: `history-view-failed`
 * with `refusal: right-lost`, as a refused export's, and no `history-viewed`;
 * the refusal does not count as a read seen, so the reader given the right
 * back has their next read audited. A gate in front of the history's storage
 * holds the read after its access check for as long as the test needs. Run
 * on SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import type { AuditRecord } from '../../server/storage/storage.ts'
import { addMember } from '../helpers/accounts.ts'
import type { ApiResponse } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { reviewTeam, type ReviewTeam } from '../helpers/review-team.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000

/** The board's one assessment's title: an answer holding it holds the board's content. */
const CONTENT = 'Convoy moved north'

describeEachDialect(postgresMissing, 'a history read on its way while its reader is removed, on %s', (dialect) => {
  /** Held, a read waits as it reads the board's history: its access was checked, its answer not yet made. */
  const atRead = new Gate()
  let server: TestServer
  /** A team of its own for each test, Rolf the reviewer removed: no test sees another's entries or removal. */
  let team: ReviewTeam
  let assessmentId: string
  let moment: string

  beforeAll(async () => {
    const hold = () => atRead.pass()
    server = await startTestServer({ accounts: true, dialect, wrapStorage: (storage) => gateHistoryReads(storage, { startAt: hold, rowInfo: hold, changes: hold }) })
  }, STORY_MS)

  afterAll(async () => {
    await server.destroy()
  }, STORY_MS)

  beforeEach(async () => {
    team = await reviewTeam(server, 'Wagner mutiny — Vilnius')
    assessmentId = (await team.owner.post<{ id: string }>(`/api/boards/${team.boardId}/assessments`, { title: CONTENT })).body.id
    moment = new Date().toISOString()
  }, STORY_MS)

  afterEach(() => {
    atRead.release()
  })

  const board = () => `/api/boards/${team.boardId}`
  const asOf = () => `asOf=${encodeURIComponent(moment)}`
  const reads: [string, string, () => string][] = [
    ['the board as of a moment', 'as-of', () => `${board()}?${asOf()}`],
    ["the board's state as of a moment", 'as-of', () => `${board()}/history/state?${asOf()}`],
    ['the editing sessions', 'sessions', () => `${board()}/history`],
    ["an assessment's changes", 'changes', () => `${board()}/history/changes?assessmentId=${assessmentId}`],
  ]

  /** Sends the read and resolves once it waits at the gate; the answer is wrapped, or awaiting this would wait for it. */
  const heldRead = async (path: string) => {
    atRead.hold()
    const answer: Promise<ApiResponse<unknown>> = team.rolf.get(path)
    await waitFor(() => atRead.waiting > 0, 'the read to wait at the gate')
    return { answer }
  }

  /** Rolf's history entries on the board, oldest first: their action, the part read, and the refusal if any. */
  const historyEntries = async () => {
    const entries: AuditRecord[] = await server.services.storage.audit.listForBoard(team.boardId, { limit: 100 })
    return entries
      .filter((entry) => entry.actorId === team.rolfId && entry.action.startsWith('history'))
      .reverse()
      .map((entry) => {
        const detail = JSON.parse(entry.detail) as { read: string; refusal?: string }
        return [entry.action, detail.read, detail.refusal ?? null]
      })
  }

  it.each(reads)('%s refused its reader removed meanwhile is audited as a refusal, not as viewed', async (_read, part, path) => {
    const { answer } = await heldRead(path())
    expect((await team.owner.delete(`${board()}/members/${team.rolfId}`)).status).toBe(204)
    atRead.release()
    const answered = await answer
    expect(answered.status).toBe(404)
    expect(JSON.stringify(answered.body)).not.toContain(CONTENT)
    expect(await historyEntries()).toEqual([['history-view-failed', part, 'right-lost']])

    // Given the right back, their read is audited as viewed: the refused one was not counted as seen.
    await addMember(server, team.boardId, { id: team.rolfId }, 'reviewer')
    expect((await team.rolf.get(path())).status).toBe(200)
    expect(await historyEntries()).toEqual([
      ['history-view-failed', part, 'right-lost'],
      ['history-viewed', part, null],
    ])
  }, STORY_MS)

  it.each(reads)('%s held as long while its reader stays is sent and audited as viewed', async (_read, part, path) => {
    const { answer } = await heldRead(path())
    atRead.release()
    expect((await answer).status).toBe(200)
    expect(await historyEntries()).toEqual([['history-viewed', part, null]])
  }, STORY_MS)
})
