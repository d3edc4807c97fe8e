/**
 * How long a compaction's write holds the relay's thread on SQLite: a slice of
 * 20,000 rows whose fold records a change a row, every one by a different
 * author than the one before (so none join), their values coming to a typical
 * slice's 5 MB and to the worst case's 50 MB (long judgments each rewritten
 * by many people). The fold is given, not worked out: only the write is
 * measured, from storage. For each: the write's wall time, the longest
 * stall of the event loop meanwhile, and the 99th percentile of the gaps
 * between turns of a loop that does nothing but come back (what a keystroke
 * or /healthz waits at worst). `npm run bench -- compactionWrite`, or alone
 * with `npx tsx bench/compaction-write.ts`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import type { AssessmentChangeRecord, Compacted, LogRow } from '../server/storage/storage.ts'
import { openFreshStorage } from '../test/helpers/test-server.ts'

const BOARD = 'compaction-write'
const SLICE_ROWS = 20_000
const APPENDED_PER_BATCH = 1_000

export type CompactionWriteFigures = { changeMb: number; ms: number; maxLoopBlockMs: number; p99TurnGapMs: number }
export type CompactionWriteBenchResult = { typical: CompactionWriteFigures; worst: CompactionWriteFigures }

const round = (n: number) => Math.round(n * 10) / 10

/** A change a row, each of `bytesEach` bytes of values, alternating authors. */
function changesOf(rows: readonly LogRow[], bytesEach: number): AssessmentChangeRecord[] {
  const side = JSON.stringify('x'.repeat(Math.max(0, bytesEach / 2 - 2)))
  return rows.map((row, i) => ({
    assessmentId: `assessment-${i % 200}`,
    field: 'judgment',
    fromValue: side,
    toValue: side.replace('x', 'y'),
    author: `ws:author-${i % 7}`,
    firstAt: row.at,
    at: row.at,
    seq: row.seq,
  }))
}

/**
 * The compaction's wall time, and the gaps between turns of the event loop
 * from the moment its fold is handed back (`written` marks it) to its end:
 * the write alone, the read before it taking turns of its own.
 */
async function watchWrite(work: (written: () => void) => Promise<unknown>): Promise<{ ms: number; maxLoopBlockMs: number; p99TurnGapMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  const gaps: number[] = []
  let last = performance.now()
  let writing = false
  let watching = true
  const turn = () => {
    const now = performance.now()
    if (writing) gaps.push(now - last)
    last = now
    if (watching) setImmediate(turn)
  }
  setImmediate(turn)
  let start = 0
  await work(() => {
    writing = true
    start = last = performance.now()
    delay.enable()
  })
  gaps.push(performance.now() - last)
  const ms = performance.now() - start
  watching = false
  delay.disable()
  gaps.sort((a, b) => a - b)
  return { ms: round(ms), maxLoopBlockMs: round(Math.max(delay.max / 1e6, gaps.at(-1) ?? 0)), p99TurnGapMs: round(gaps[Math.floor(gaps.length * 0.99)] ?? 0) }
}

async function benchSlice(changeBytes: number): Promise<CompactionWriteFigures> {
  const fresh = await openFreshStorage('sqlite')
  try {
    const { storage } = fresh
    await storage.boards.create({ id: BOARD, title: 'Compaction write', createdAt: new Date().toISOString(), createdBy: null })
    const doc = new Y.Doc()
    const update = Y.encodeStateAsUpdate(doc)
    doc.destroy()
    for (let appended = 0; appended < SLICE_ROWS; appended += APPENDED_PER_BATCH) {
      await storage.log.append(BOARD, Array.from({ length: APPENDED_PER_BATCH }, (_, i) => ({ update, origin: `ws:author-${(appended + i) % 7}` })))
    }
    // Worked out before, as the worker does it off the relay's thread.
    const folded = { state: update, changes: changesOf((await storage.history.tail(BOARD)).rows, changeBytes / SLICE_ROWS) }
    let compacted: Compacted | undefined
    const figures = await watchWrite(async (written) => {
      compacted = await storage.log.compact(BOARD, () => (written(), folded))
    })
    if (compacted?.changeBytes !== changeBytes) throw new Error(`the fold wrote ${JSON.stringify(compacted)}`)
    return { changeMb: round(changeBytes / 1e6), ...figures }
  } finally {
    await fresh.destroy()
  }
}

/** The median of three runs' figures, each figure on its own (the machine is shared). */
async function medianOfThree(changeBytes: number): Promise<CompactionWriteFigures> {
  const runs: CompactionWriteFigures[] = []
  for (let i = 0; i < 3; i++) runs.push(await benchSlice(changeBytes))
  const median = (key: keyof CompactionWriteFigures) => runs.map((run) => run[key]).sort((a, b) => a - b)[1]!
  return { changeMb: median('changeMb'), ms: median('ms'), maxLoopBlockMs: median('maxLoopBlockMs'), p99TurnGapMs: median('p99TurnGapMs') }
}

export async function benchCompactionWrite(): Promise<CompactionWriteBenchResult> {
  return { typical: await medianOfThree(5e6), worst: await medianOfThree(50e6) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchCompactionWrite(), null, 2))
}
