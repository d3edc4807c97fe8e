/**
 * A long read on its way while its reader is removed. An export, a
 * comparison, a snapshot's checks, model or state is made after the route's
 * access check (in a worker thread, or queued behind others' reads), seconds
 * later; a reviewer removed meanwhile was sent all seven exports they had
 * asked for, 11 to 21 s after their removal (red team 32b). The answer must be
 * the one the same request would get if it started now (404, as for any
 * board one is not a member of), with none of the content, and an export
 * audited as a refusal, not as an export. A gate in front of the snapshot's
 * read stops each request after its access check for as long as the test
 * needs; the removal lands there.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { Gate } from '../helpers/gate.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** A whole story against a real server, on a loaded machine. */
const STORY_MS = 60_000

/** The board's one assessment's title: an answer holding it holds the board's content. */
const CONTENT = 'Convoy moved north of Pskov'

describe('a long read on its way while its reader is removed', () => {
  /** Held, a request waits as it reads its snapshot's state: its access was checked, its content not yet made. */
  const atRead = new Gate()
  let server: TestServer
  let reviewer: TestAccount
  let asOwner: ApiClient
  let asReviewer: ApiClient
  let boardId: string
  let snapshotId: string

  const gated = (storage: Storage): Storage => {
    const { snapshots } = storage
    return {
      ...storage,
      // The store's own methods, but for the one gated.
      snapshots: Object.assign(Object.create(snapshots) as typeof snapshots, {
        state: async (board: string, id: string) => {
          await atRead.pass()
          return snapshots.state(board, id)
        },
      }),
    }
  }

  // One server and its people for the suite: every test has a board, membership and snapshot of its own, so no
  // test is served another's kept read or sees another's removal.
  beforeAll(async () => {
    server = await startTestServer({ accounts: true, wrapStorage: gated })
    const owner = await addAccount(server, { name: 'Olga Owner' })
    reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    asReviewer = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
  }, STORY_MS)

  afterAll(async () => {
    await server.destroy()
  }, STORY_MS)

  beforeEach(async () => {
    boardId = await asOwner.createBoard('Wagner mutiny — Vilnius')
    await addMember(server, boardId, reviewer, 'reviewer')
    expect((await asOwner.post(`/api/boards/${boardId}/assessments`, { title: CONTENT })).status).toBe(201)
    snapshotId = (await asOwner.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'For review' })).body.id
  }, STORY_MS)

  afterEach(() => {
    atRead.release()
  })

  const board = () => `/api/boards/${boardId}`
  const reads: [string, () => string][] = [
    ["a snapshot's Markdown export", () => `${board()}/export?format=md&snapshot=${snapshotId}`],
    ["a snapshot's JSON export", () => `${board()}/export?format=json&snapshot=${snapshotId}`],
    ['a comparison of a snapshot with the live board', () => `${board()}/diff?from=${snapshotId}&to=live`],
    ["a snapshot's checks", () => `${board()}/checks?snapshot=${snapshotId}`],
    ["a snapshot's model", () => `${board()}/snapshots/${snapshotId}`],
    ["a snapshot's state", () => `${board()}/snapshots/${snapshotId}/state`],
  ]

  /** Sends the read and resolves once it waits at the gate; the answer is wrapped, or awaiting this would wait for it. */
  const heldRead = async (path: string): Promise<{ answer: Promise<ApiResponse> }> => {
    atRead.hold()
    const answer = asReviewer.get(path)
    await waitFor(() => atRead.waiting > 0, 'the read to wait at the gate')
    return { answer }
  }

  const exportEntries = async () => (await server.services.storage.audit.listForBoard(boardId, { limit: 100 })).filter((entry) => entry.action.startsWith('export'))

  it.each(reads)('%s made while its reviewer is removed is refused 404, with none of the content', async (_read, path) => {
    const { answer } = await heldRead(path())
    expect((await asOwner.delete(`${board()}/members/${reviewer.id}`)).status).toBe(204)
    atRead.release()
    const answered = await answer
    expect(answered).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(JSON.stringify(answered.body)).not.toContain(CONTENT)
  }, STORY_MS)

  it('an export refused so is audited as a refusal, not as an export', async () => {
    const { answer } = await heldRead(`${board()}/export?format=md&snapshot=${snapshotId}`)
    expect((await asOwner.delete(`${board()}/members/${reviewer.id}`)).status).toBe(204)
    atRead.release()
    expect((await answer).status).toBe(404)
    expect((await exportEntries()).map((entry) => [entry.action, (JSON.parse(entry.detail) as { refusal?: string }).refusal])).toEqual([['export-failed', 'right-lost']])
  }, STORY_MS)

  it('the same export held as long while its reviewer stays is sent and audited as an export', async () => {
    const { answer } = await heldRead(`${board()}/export?format=md&snapshot=${snapshotId}`)
    atRead.release()
    const answered = await answer
    expect(answered.status).toBe(200)
    expect(String(answered.body)).toContain(CONTENT)
    expect((await exportEntries()).map((entry) => entry.action)).toEqual(['export'])
  }, STORY_MS)
})
