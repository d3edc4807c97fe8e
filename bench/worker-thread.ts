/**
 * What one compaction costs in CPU on a thread started for it and on a thread
 * the pool kept: 500 keystrokes typed into a judgment on a board of 100
 * assessments, folded by the compiled server's worker pool as the relay's
 * compaction does. People typing fill 500 rows in minutes, so before the pool
 * kept small threads warm every compaction of a board being typed paid for a
 * fresh thread. CPU is the whole process's (every thread, V8's collector
 * threads too); medians of five rounds, each with a new pool: its first
 * compaction starts the thread, three more follow on it, then one working
 * out of who changed what in those rows, as a card's history does.
 * `npm run bench` calls `benchWorkerThread()`; run this file alone with
 * `npx tsx bench/worker-thread.ts`.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { createLogger } from '../server/log.ts'
import type { LogRow } from '../server/storage/storage.ts'
import type { JobName } from '../server/workers/jobs.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'

const ROUNDS = 5
/** Compactions on the kept thread after the first, in each round. */
const KEPT_JOBS = 3
const KEYSTROKES = 500
const ASSESSMENTS = 100

export type WorkerThreadBenchResult = {
  keystrokes: number
  assessments: number
  /** CPU of the compaction, in ms: on a thread started for it, and on the same thread once kept. */
  freshThreadMs: number
  keptThreadMs: number
  /** The same, spread over the keystrokes it folded. */
  freshThreadMicrosPerKeystroke: number
  keptThreadMicrosPerKeystroke: number
  /** The heap the kept thread reported (the pool keeps it ten minutes while under 128 MiB). */
  keptHeapMiB: number
  /**
   * CPU of working out who changed what in the same rows on a kept thread, as
   * a card's history does for the rows since the latest checkpoint (once for
   * everyone asking about the same rows: server/history/tail-changes.ts).
   */
  historyReadMs: number
}

/** The board's checkpoint, and the log rows of one person typing into a new assessment's judgment. */
function typedLog(): { checkpoint: Uint8Array; rows: LogRow[] } {
  const doc = new Y.Doc()
  replaceBoardContent(doc, { ...largeBoard(ASSESSMENTS, ASSESSMENTS * 5), id: 'bench', title: 'bench' }, serverOrigin('bench'))
  const checkpoint = Y.encodeStateAsUpdate(doc)
  const rows: LogRow[] = []
  const start = Date.UTC(2026, 0, 1)
  doc.on('update', (update: Uint8Array) => {
    const seq = rows.length + 1
    rows.push({ seq, update, origin: 'ws:analyst', at: new Date(start + seq * 300).toISOString() })
  })
  const judgment = assessmentText(doc, addAssessment(doc, { title: 'Typed' }), 'judgment')
  for (let i = 0; i < KEYSTROKES; i++) judgment.insert(judgment.length, 'assessed '[i % 9]!)
  doc.destroy()
  return { checkpoint, rows }
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export async function benchWorkerThread(): Promise<WorkerThreadBenchResult> {
  // The compiled server, as `npm start` runs it: from the sources, a thread would also compile TypeScript.
  execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: ['ignore', process.stderr, 'inherit'] })
  const compiled = new URL('../dist/server/server/workers/worker-pool.js', import.meta.url).href
  const { WorkerPool } = (await import(compiled)) as typeof import('../server/workers/worker-pool.ts')
  const input = typedLog()
  const budgetsMs = new Proxy({} as Record<JobName, number>, { get: () => 600_000 })
  const fresh: number[] = []
  const kept: number[] = []
  const heaps: number[] = []
  const historyReads: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const pool = new WorkerPool({ threads: 1, queueLimit: 4, perOwnerLimit: 4, memoryMb: 1024, budgetsMs, logger: createLogger('silent') })
    try {
      for (let job = 0; job <= KEPT_JOBS; job++) {
        const before = cpuMs()
        await pool.run('merge-state', input)
        const figures = job === 0 ? fresh : kept
        figures.push(cpuMs() - before)
      }
      heaps.push(pool.load.heapBytes / 1024 / 1024)
      const before = cpuMs()
      await pool.run('attribute-rows', input)
      historyReads.push(cpuMs() - before)
    } finally {
      await pool.close()
    }
  }
  const freshMs = median(fresh)
  const keptMs = median(kept)
  return {
    keystrokes: KEYSTROKES,
    assessments: ASSESSMENTS,
    freshThreadMs: Math.round(freshMs),
    keptThreadMs: Math.round(keptMs),
    freshThreadMicrosPerKeystroke: Math.round((freshMs * 1000) / KEYSTROKES),
    keptThreadMicrosPerKeystroke: Math.round((keptMs * 1000) / KEYSTROKES),
    keptHeapMiB: Math.round(median(heaps)),
    historyReadMs: Math.round(median(historyReads)),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchWorkerThread(), null, 2))
