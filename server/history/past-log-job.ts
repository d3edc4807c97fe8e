/**
 * Inside a worker thread: the stored pieces of a board as of a past time, read
 * from the SQLite file through the thread's read-only connection
 * (sqlite-reader.ts), not on the relay's thread. Four members' as-of reads of
 * a board of 100,000 keystroke rows held the relay's thread some 200 ms a read
 * there, a page of rows at a time, and /healthz waited up to 160 ms at p99
 * against 6 ms (BENCHMARKS.md).
 */
import { readOnlyHistory } from '../storage/sqlite-reader.ts'
import { readPastLog, type PastLog } from './as-of-log.ts'

export type PastLogJob = { file: string; boardId: string; asOf: string }

export function readPastLogInThread({ file, boardId, asOf }: PastLogJob): Promise<PastLog> {
  return readPastLog(readOnlyHistory(file), boardId, asOf)
}
