/**
 * Recorded changes cost about what their authors wrote. Two people take turns
 * at one 19,990-character judgment, one adding a character at its start, the
 * other taking it out; and one person does the same alone, typing over the
 * websocket and taking it back over HTTP (PATCH). Each recorded change used to
 * hold the whole field twice, and the turns never joined (two authors, or one
 * account's two transports counted as two): each keystroke of some 35 bytes
 * became a 40–120 KB record, 150–280 KB of edits some 300 MB–1.5 GB of
 * `board_changes`. Now a change holds the part of the text it changed
 * (shared/text-excerpt.ts) and one account is one author. On SQLite and
 * PostgreSQL, against the real server.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { CONTEXT_CHARS, isTextExcerpt } from '../../shared/text-excerpt.ts'
import type { TestAccount } from '../helpers/accounts.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { takingTurns, type TakingTurns } from '../helpers/taking-turns.ts'
import { waitFor } from '../helpers/wait-for.ts'
import type { TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const LENGTH = 19_990
const JUDGMENT = '語'.repeat(LENGTH)
/** Keystrokes, each taken back by the next. */
const TURNS = 30
/**
 * What a recorded change may hold besides what its author wrote: both sides'
 * context of a 3-byte character (CONTEXT_CHARS each side of the keystroke),
 * and the JSON around them.
 */
const BYTES_PER_RECORD = 2 * (3 * (2 * CONTEXT_CHARS + 1) + 64)

describeEachDialect(postgresMissing, 'two authors taking turns at a long judgment on %s', (dialect) => {
  let turns: TakingTurns
  let assessmentId: string

  /** A writer over the websocket once the judgment reached it, and the bytes of the updates it sends. */
  const join = async (account: TestAccount) => {
    const { client, sent } = await turns.join(account, (joined) => judgmentOf(joined).length === LENGTH)
    return { client, sent, text: () => assessmentText(client.doc, assessmentId, 'judgment') as Y.Text }
  }
  const judgmentOf = (client: TestClient) => String(assessmentText(client.doc, assessmentId, 'judgment') ?? '')
  const recorded = () => turns.recorded(assessmentId, 'judgment')

  beforeEach(async () => {
    turns = await takingTurns(dialect, 'Taking turns')
    const created = await turns.as(turns.ana).post<{ id: string }>(`/api/boards/${turns.boardId}/assessments`, { title: 'Long', judgment: JUDGMENT })
    expect(created.status).toBe(201)
    assessmentId = created.body.id
    await turns.server.services.compaction.compact(turns.boardId)
  })
  afterEach(async () => {
    await turns.destroy()
  })

  it('records each turn of two accounts as a change of about the bytes typed, readable in the listing', async () => {
    const first = await join(turns.ana)
    const second = await join(turns.ben)
    for (let turn = 0; turn < TURNS; turn++) {
      first.text().insert(0, 'x')
      await waitFor(() => judgmentOf(second.client).length === LENGTH + 1, 'the keystroke to reach the other writer')
      second.text().delete(0, 1)
      await waitFor(() => judgmentOf(first.client).length === LENGTH, 'the deletion to reach the other writer')
    }
    const written = first.sent.bytes + second.sent.bytes
    const { changes, bytes } = await recorded()
    // Still one change a turn, each named for its author.
    expect(changes).toHaveLength(2 * TURNS)
    expect(bytes).toBeLessThan(2 * written + BYTES_PER_RECORD * changes.length)

    const listing = await turns.as(turns.ana).get<AssessmentChange[]>(`/api/boards/${turns.boardId}/history/changes?assessmentId=${assessmentId}&limit=5000`)
    expect(listing.status).toBe(200)
    const last = listing.body.at(-1)!
    expect(last.by.name).toBe('Ben')
    expect(last.from).toEqual({ excerpt: `x${'語'.repeat(CONTEXT_CHARS)}`, start: 0, length: LENGTH + 1 })
    expect(last.to).toEqual({ excerpt: '語'.repeat(CONTEXT_CHARS), start: 0, length: LENGTH })
    expect(isTextExcerpt(listing.body.at(-2)!.to)).toBe(true)
  })

  it('records one account typing over the websocket and taking it back over HTTP as one author’s change', async () => {
    const writer = await join(turns.ana)
    for (let turn = 0; turn < TURNS; turn++) {
      writer.text().insert(0, 'x')
      const patch = await turns.as(turns.ana).patch(`/api/boards/${turns.boardId}/assessments/${assessmentId}`, { judgment: JUDGMENT })
      expect(patch.status).toBe(200)
      await waitFor(() => judgmentOf(writer.client) === JUDGMENT, 'the taking back to reach the writer')
    }
    writer.text().insert(0, 'y')
    await waitFor(async () => (await turns.server.services.storage.log.count(turns.boardId)) === 2 * TURNS + 1, 'the last keystroke to be stored')
    const { changes, bytes } = await recorded()
    // Sixty rows of one person's, within minutes: one change, of one keystroke.
    expect(changes.map((change) => change.author)).toEqual([`ws:${turns.ana.id}`])
    expect(bytes).toBeLessThan(BYTES_PER_RECORD)
  })
})
