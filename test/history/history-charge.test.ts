/**
 * The history a member's writes cost, on a large board (red team 31e): one
 * member types into a judgment of a 0.95 MB board, the log folded after each
 * hour's typing and an automatic snapshot swept each hour. Every checkpoint a
 * compaction superseded, and every automatic snapshot of a changed board, was
 * the whole board again: 193 times the bytes typed. Now the copies kept
 * (superseded checkpoints, automatic snapshots) hold at most
 * COPY_BYTES_PER_WRITTEN times what was written, the live checkpoint still
 * moves forward with each fold, and the board as of every moment of the
 * typing reads as it was, across the checkpoints no longer kept; a paste of
 * more than a quarter of the board earns the checkpoint after it and an
 * automatic snapshot, a keystroke then none until a day has passed. Measured
 * from what the database holds, on SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { COPY_BYTES_PER_WRITTEN } from '../../server/history/earned-copies.ts'
import { ANYWAY_AFTER_INTERVALS } from '../../server/snapshots/auto-snapshot-due.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { editedBoard } from '../helpers/carded-board.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { perTest } from '../helpers/per-test.ts'
import { startTestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

const CARDS = 400
/** Each card's judgment: 400 of them make a board of some 0.95 MB, well past a small board's copies. */
const JUDGMENT = 'The convoy was seen near the border crossing at dawn. '.repeat(37)
const HOURS = 3
const KEYSTROKES_PER_HOUR = 300
const KEYSTROKES_PER_MOMENT = 100

/** Bytes of the board's kept checkpoints, the latest (which loads it) apart, and of its automatic snapshots. */
async function copies(storage: Storage, boardId: string): Promise<{ history: number; latest: number; snapshots: number }> {
  const kept = await storage.history.checkpoints(boardId)
  let snapshots = 0
  for (const snapshot of await storage.snapshots.list(boardId)) if (snapshot.kind === 'auto') snapshots += (await storage.snapshots.state(boardId, snapshot.id))!.byteLength
  return { history: kept.slice(0, -1).reduce((sum, checkpoint) => sum + checkpoint.bytes, 0), latest: kept.at(-1)?.bytes ?? 0, snapshots }
}

describeEachDialect(postgresMissing, 'the history a member’s typing costs on %s', (dialect) => {
  const fixture = perTest(
    async () => {
      const clock = testClock()
      const env = { SNAPSHOT_INTERVAL_MINUTES: '60', WS_MAX_MESSAGES_PER_SECOND: '100000', WS_MAX_BYTES_PER_SECOND: String(64 * 1024 * 1024) }
      return { clock, server: await startTestServer({ dialect, clock, env }) }
    },
    ({ server }) => server.destroy(),
  )

  it('keeps copies of the board within a bounded factor of the bytes typed, and every moment readable', async () => {
    const { clock, server } = fixture
    const { storage, compaction, autoSnapshots } = server.services
    const { api, boardId, writer } = await editedBoard(server, 'A large board', connect)
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()

    /** Adds cards twenty to a transaction (each one log row); the first's id. */
    const addCards = (count: number, from: number): string => {
      let first = ''
      for (let chunk = 0; chunk < count / 20; chunk++) {
        writer.doc.transact(() => {
          for (let card = 0; card < 20; card++) {
            const id = addAssessment(writer.doc, { title: `Card ${from + chunk * 20 + card}`, judgment: JUDGMENT, likelihood: 3, confidence: 'moderate', kind: 'key-judgment' })
            first ||= id
          }
        })
      }
      return first
    }
    const first = addCards(CARDS, 0)
    const typed = () => assessmentText(writer.doc, first, 'judgment')
    // The reader is sent only what the server committed: once it holds what the writer typed, the rows are stored.
    const stored = (what: string) =>
      waitFor(
        () => reader.doc.getMap('assessments').size === writer.doc.getMap('assessments').size && assessmentText(reader.doc, first, 'judgment').toString() === typed().toString(),
        what,
        60_000,
      )
    await stored('the board to be stored')
    await compaction.compact(boardId)
    expect((await autoSnapshots.runOnce()).taken).toHaveLength(1)
    const boardBytes = await storage.log.bytes(boardId)
    expect(boardBytes).toBeGreaterThan(700_000)
    const before = { copies: await copies(storage, boardId), rowBytes: (await storage.history.size(boardId)).rowBytes }

    // An hour's typing at a time, the log folded and an automatic snapshot swept after each; the board's content noted at moments between.
    const moments: { at: string; judgment: string }[] = []
    for (let hour = 0; hour < HOURS; hour++) {
      for (let key = 0; key < KEYSTROKES_PER_HOUR; key++) {
        typed().insert(typed().length, String.fromCharCode(97 + (key % 26)))
        if ((key + 1) % KEYSTROKES_PER_MOMENT === 0) {
          await stored('the keystrokes to be stored')
          moments.push({ at: clock.iso(), judgment: typed().toString() })
          clock.advance(MINUTE)
        }
      }
      await compaction.compact(boardId)
      // The live checkpoint moved forward: it folds every row typed, so a load reads the checkpoint alone.
      expect((await storage.history.tailState(boardId)).rows).toBe(0)
      clock.advance(60 * MINUTE)
      await autoSnapshots.runOnce()
    }

    const written = (await storage.history.size(boardId)).rowBytes - before.rowBytes
    const after = await copies(storage, boardId)
    // The checkpoint that loaded the board before the typing is kept as where its history starts: the board's first copy, not the typing's.
    const kept = after.history - before.copies.history - before.copies.latest + after.snapshots - before.copies.snapshots
    expect(written).toBeGreaterThan(0)
    expect(kept, `${kept} bytes of copies kept for ${written} bytes typed on a board of ${boardBytes}`).toBeLessThanOrEqual(COPY_BYTES_PER_WRITTEN * written)

    // Of the four checkpoints written, the first (where the typing starts) and the latest are kept: the hours' between them were not earned.
    expect((await storage.history.checkpoints(boardId)).length).toBe(2)
    // Every moment of the typing reads as it was, though the checkpoints folded between them are no longer kept.
    for (const moment of moments) {
      const read = await api.get<BoardModel>(`/api/boards/${boardId}?asOf=${encodeURIComponent(moment.at)}`)
      expect(read.status).toBe(200)
      expect(JSON.parse(read.headers.get('assay-as-of')!)).toMatchObject({ exact: true })
      expect(read.body.assessments.find((assessment) => assessment.id === first)?.judgment).toBe(moment.judgment)
    }

    // A paste of more than a quarter of the board: the checkpoint that folds it is kept once superseded, as the rows since the one before earn it.
    addCards(CARDS / 2, CARDS)
    await stored('the pasted cards to be stored')
    await compaction.compact(boardId)
    typed().insert(0, 'Later: ')
    await stored('a later keystroke to be stored')
    await compaction.compact(boardId)
    expect((await storage.history.checkpoints(boardId)).length).toBe(3)
    // So it earns an automatic snapshot; a keystroke after it does not, until the latest is a day of intervals old.
    expect((await autoSnapshots.runOnce()).taken).toHaveLength(1)
    typed().insert(0, 'Much later: ')
    await stored('a keystroke after the snapshot to be stored')
    expect((await autoSnapshots.runOnce()).taken).toEqual([])
    clock.advance(ANYWAY_AFTER_INTERVALS * 60 * MINUTE)
    expect((await autoSnapshots.runOnce()).taken).toHaveLength(1)
  }, 300_000)
})
