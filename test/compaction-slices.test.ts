/**
 * Compaction of a backlog, slice by slice: a board two editors typed into a
 * keystroke a row, whose compaction could not run meanwhile, is folded down
 * with nobody editing, no fold taking more than COMPACTION_SLICE_ROWS rows; a
 * compaction that fails is tried again on its own, and counted; SQLite reads
 * a board's rows in pages of BOARD_LOG_PAGE_ROWS with turns of the event loop
 * between them.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import type { MergeState, Storage, UpdateLogStore } from '../server/storage/storage.ts'
import { overTimeError } from '../server/workers/worker-errors.ts'
import { apiClient } from './helpers/api.ts'
import { Gate } from './helpers/gate.ts'
import { logWith } from './helpers/log-with.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const SLICE_ROWS = 15
const KEYSTROKES = 90

/** Two editors typing into one assessment's judgment by turns, each keystroke seen by the other before the next: a log row each. */
async function typeByTurns(wsUrl: string, boardId: string, keystrokes: number): Promise<{ typed: string }> {
  const editors = [connect(wsUrl, boardId), connect(wsUrl, boardId)]
  await Promise.all(editors.map((editor) => editor.synced()))
  const [first, second] = editors as [TestClient, TestClient]
  const assessmentId = addAssessment(first.doc, { title: 'Typed by turns' })
  // Throws until the card has reached the second editor.
  await waitFor(() => assessmentText(second.doc, assessmentId, 'judgment'), 'the second editor to see the card')
  let typed = ''
  for (let i = 0; i < keystrokes; i++) {
    const [typist, reader] = i % 2 === 0 ? [first, second] : [second, first]
    const char = String.fromCharCode(97 + (i % 26))
    const text = assessmentText(typist.doc, assessmentId, 'judgment')
    text.insert(text.length, char)
    typed += char
    await waitFor(() => assessmentText(reader.doc, assessmentId, 'judgment').toString() === typed, `keystroke ${i} relayed`)
  }
  return { typed }
}

/** The storage with its log's compactions in the test's hands: `compact` is given the real log to compact with. */
function compactingWith(compact: (log: UpdateLogStore, ...args: Parameters<UpdateLogStore['compact']>) => ReturnType<UpdateLogStore['compact']>) {
  return (storage: Storage): Storage => ({ ...storage, log: logWith(storage.log, { compact: (...args) => compact(storage.log, ...args) }) })
}

describeEachDialect(postgresMissing, 'compaction in slices on %s', (dialect) => {
  it('folds a backlog slice by slice once the typing has stopped, and the board loads whole after a restart', async () => {
    const compactions = new Gate()
    compactions.hold()
    /** The rows each fold was given, as the worker received them. */
    const folds: number[] = []
    const wrap = compactingWith(async (log, boardId, merge, maxRows) => {
      await compactions.pass()
      return log.compact(boardId, (checkpoint, rows) => (folds.push(rows.length), merge(checkpoint, rows)), maxRows)
    })
    server = await startTestServer({ dialect, compactAfterRows: 20, wrapStorage: wrap, env: { COMPACTION_SLICE_ROWS: String(SLICE_ROWS) } })
    const boardId = await apiClient(server.url).createBoard('Backlog')
    const { typed } = await typeByTurns(server.wsUrl, boardId, KEYSTROKES)
    // The typing is over and the compaction it set off has waited all along: the whole backlog is there.
    const log = server.services.storage.log
    expect(await log.count(boardId)).toBeGreaterThanOrEqual(KEYSTROKES)
    compactions.release()
    await waitFor(async () => (await log.count(boardId)) < 20, 'the backlog compacted with nobody typing', 30_000)
    expect(Math.max(...folds)).toBeLessThanOrEqual(SLICE_ROWS)
    // Down from the card and its keystrokes to fewer than 20 rows, a slice at a time.
    expect(folds.length).toBeGreaterThanOrEqual(Math.ceil((KEYSTROKES - 20) / SLICE_ROWS))

    server = await server.restart()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId).assessments.map((assessment) => assessment.judgment)).toEqual([typed])
  }, 90_000)
})

describe('a compaction that fails', () => {
  it('is tried again with nobody typing, and counted', async () => {
    // Every compaction fails while the editors type, and the first two after they stop: only a retry of its own folds the board.
    let typing = true
    let failuresAfterTyping = 2
    let failures = 0
    const wrap = compactingWith(async (log, boardId, merge, maxRows) => {
      if (typing || failuresAfterTyping > 0) {
        if (!typing) failuresAfterTyping--
        failures++
        throw new Error('the fold ran over its time budget')
      }
      return log.compact(boardId, merge, maxRows)
    })
    server = await startTestServer({ compactAfterRows: 20, compactRetryMs: 50, wrapStorage: wrap, env: { METRICS_TOKEN } })
    const boardId = await apiClient(server.url).createBoard('Failing folds')
    await typeByTurns(server.wsUrl, boardId, 30)
    typing = false
    const log = server.services.storage.log
    await waitFor(async () => failuresAfterTyping === 0 && (await log.count(boardId)) < 20, 'the board compacted after the failures', 30_000)
    expect(sample(await metricsText(server), 'assay_compaction_failures_total')).toBe(failures)
  }, 60_000)
})

describe('a slice too large for its thread', () => {
  it('is halved, and the board keeps the slice that fits until its backlog is folded', async () => {
    /** The rows a fold may take within its budget here: half the slice, which is halved down to 100 rows at least. */
    const FITTING_ROWS = 100
    const compactions = new Gate()
    compactions.hold()
    /** The rows each fold was asked to take at most, in order. */
    const asked: number[] = []
    const wrap = compactingWith(async (log, boardId, merge, maxRows) => {
      await compactions.pass()
      asked.push(maxRows ?? Infinity)
      // The worker pool's answer to a fold of more rows than fit in its budget (server/workers/worker-pool.ts).
      const overrunning: MergeState = (checkpoint, rows) => (rows.length > FITTING_ROWS ? Promise.reject(overTimeError('merge-state', 30_000)) : merge(checkpoint, rows))
      return log.compact(boardId, overrunning, maxRows)
    })
    server = await startTestServer({ compactAfterRows: 20, compactRetryMs: 50, wrapStorage: wrap, env: { COMPACTION_SLICE_ROWS: String(2 * FITTING_ROWS), METRICS_TOKEN } })
    const boardId = await apiClient(server.url).createBoard('Overrunning folds')
    // A backlog of three slices that fit.
    await typeByTurns(server.wsUrl, boardId, 3 * FITTING_ROWS)
    compactions.release()
    const log = server.services.storage.log
    await waitFor(async () => (await log.count(boardId)) < 20, 'the backlog compacted in the slices that fit', 30_000)
    // One overrun, then every slice of the backlog at the size that fit: back at the whole slice, each fold overran once more.
    expect(asked.slice(0, 2)).toEqual([2 * FITTING_ROWS, FITTING_ROWS])
    expect(asked.filter((rows) => rows > FITTING_ROWS)).toHaveLength(1)
    expect(sample(await metricsText(server), 'assay_compaction_failures_total')).toBe(1)
  }, 90_000)
})

describe('a board read from SQLite', () => {
  it('is read in pages of BOARD_LOG_PAGE_ROWS with turns of the event loop between', async () => {
    server = await startTestServer({ compactAfterRows: 1_000_000, env: { BOARD_LOG_PAGE_ROWS: '10' } })
    const boardId = await apiClient(server.url).createBoard('Read in pages')
    const { typed } = await typeByTurns(server.wsUrl, boardId, 60)
    const log = server.services.storage.log
    const rows = await log.count(boardId)
    expect(rows).toBeGreaterThanOrEqual(60)

    // Turns other work gets while the rows are read: none when one statement reads them all.
    let turns = 0
    let reading = true
    const countTurns = () => {
      if (!reading) return
      turns++
      setImmediate(countTurns)
    }
    setImmediate(countTurns)
    const stored = await log.load(boardId)
    reading = false
    expect(stored.updates).toHaveLength(rows)
    expect(turns).toBeGreaterThanOrEqual(Math.floor(rows / 10) - 1)

    server = await server.restart()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId).assessments.map((assessment) => assessment.judgment)).toEqual([typed])
  }, 60_000)
})
