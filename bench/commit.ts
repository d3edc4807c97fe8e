/**
 * `npm run bench -- commit`: what committing one keystroke costs the relay's
 * thread, the part of its CPU per edit that a relay storing nothing does not
 * pay. Keystrokes typed into a judgment are appended one by one, each its own
 * transaction as the room commits them, through the storage the server opens
 * (SQLite in a temporary folder, WAL, `synchronous=NORMAL`); wall time and CPU
 * per append, medians of several runs after a warm-up. Only the embedded
 * database: a PostgreSQL commit is a network round trip, not CPU of ours.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { openStorage } from '../server/storage/open-storage.ts'
import type { LogEntry } from '../server/storage/storage.ts'
import { median } from './median.ts'

const BOARD_ID = 'bench-commit'
const WARM_UP = 1_000
const APPENDS_PER_RUN = 5_000
const RUNS = 5

/** Medians of the runs, and each run's figure: wall time is the relay's thread held by the append; CPU counts every thread, the WAL checkpointer's too. */
export type CommitBenchResult = {
  appendsPerRun: number
  runs: number
  wallMicrosPerAppend: number
  cpuMicrosPerAppend: number
  runsWallMicros: number[]
  runsCpuMicros: number[]
}

const perAppend = (micros: number) => Math.round((micros / APPENDS_PER_RUN) * 10) / 10

/** One keystroke after another into a judgment, as a typist's client sends them. */
function keystrokes(count: number): LogEntry[] {
  const doc = new Y.Doc()
  const entries: LogEntry[] = []
  const id = addAssessment(doc, { title: 'Typed card' })
  doc.on('update', (update: Uint8Array) => entries.push({ update, origin: 'ws:bench-user' }))
  const judgment = assessmentText(doc, id, 'judgment')
  for (let i = 0; i < count; i++) judgment.insert(judgment.length, 'abcdefghij'[i % 10]!)
  doc.destroy()
  return entries
}

export async function benchCommit(): Promise<CommitBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-bench-commit-'))
  const storage = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), createLogger('silent'))
  try {
    await storage.boards.create({ id: BOARD_ID, title: 'commit', createdAt: new Date().toISOString(), createdBy: null })
    const entries = keystrokes(WARM_UP + RUNS * APPENDS_PER_RUN)
    for (const entry of entries.slice(0, WARM_UP)) await storage.log.append(BOARD_ID, [entry])
    const walls: number[] = []
    const cpus: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const batch = entries.slice(WARM_UP + run * APPENDS_PER_RUN, WARM_UP + (run + 1) * APPENDS_PER_RUN)
      const before = process.cpuUsage()
      const start = performance.now()
      for (const entry of batch) await storage.log.append(BOARD_ID, [entry])
      const wall = performance.now() - start
      const cpu = process.cpuUsage(before)
      walls.push(perAppend(wall * 1000))
      cpus.push(perAppend(cpu.user + cpu.system))
    }
    return { appendsPerRun: APPENDS_PER_RUN, runs: RUNS, wallMicrosPerAppend: median(walls), cpuMicrosPerAppend: median(cpus), runsWallMicros: walls, runsCpuMicros: cpus }
  } finally {
    await storage.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
