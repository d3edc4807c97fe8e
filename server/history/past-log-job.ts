/**
 * Inside a worker thread: the stored pieces of a board as of a past time, read
 * through the thread's own read-only connection, to the SQLite file
 * (sqlite-reader.ts) or the PostgreSQL database (pg-reader.ts), not on the
 * relay's thread. Four members' as-of reads of a board of 100,000 keystroke
 * rows held the relay's thread some 200 ms a read on SQLite, a page of rows at
 * a time, and /healthz waited up to 160 ms at p99 against 6 ms; on PostgreSQL
 * the driver took each page's rows apart there (BENCHMARKS.md).
 */
import type { PastLogSource } from '../storage/storage.ts'
import { readPastLog, type PastLog } from './as-of-log.ts'

export type PastLogJob = { source: PastLogSource; boardId: string; asOf: string }

export async function readPastLogInThread({ source, boardId, asOf }: PastLogJob): Promise<PastLog> {
  // Each dialect's driver loaded only where it is the one used, as on the relay's thread (open-storage.ts).
  const history =
    source.dialect === 'sqlite' ? (await import('../storage/sqlite-reader.ts')).readOnlyHistory(source.file) : (await import('../storage/pg-reader.ts')).readOnlyPgHistory(source)
  return readPastLog(history, boardId, asOf)
}
