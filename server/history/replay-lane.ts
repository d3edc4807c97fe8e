/**
 * Which lane a rebuild of a past version runs on, from what it replays, known
 * before it runs. A short job's cost is bounded by a board's size limits
 * (job-lanes.ts): the live log a board read replays is folded once it holds
 * rowsBeforeCompaction rows. A past time has no such bound: between two kept
 * checkpoints an hour of typing may be 30,000 rows or more (thinning keeps one
 * checkpoint an hour, and drops unearned ones), each replay of them 1 to 4 s;
 * two members keeping their as-of reads in flight held the short lane, and the
 * owner's reads of another board waited 0.7 to 2.5 s for it (red team 33a).
 * A rebuild replaying more rows than the live log ever holds runs on the
 * general threads, as an export does; and so does the read of those rows from
 * the SQLite file (past-log-job.ts), its lane known from where the rows start
 * and end before any is read.
 */
import { rowsBeforeCompaction } from '../relay/compaction.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { HistoryStart, HistoryStore } from '../storage/storage.ts'
import type { JobOptions } from '../workers/worker-pool.ts'
import { asOfPosition } from './as-of-position.ts'

/** The job options of a rebuild of `log`: long when it replays more rows after its checkpoint than a live board read would. */
export function replayLane(log: StoredLog): Pick<JobOptions, 'long'> {
  const rows = Array.isArray(log.updates) ? log.updates.length : log.updates.ends.length
  return laneOfRows(rows, log.checkpoint?.byteLength ?? 0)
}

/**
 * The job options of reading the rows of the board as of `asOf` after `start`'s checkpoint: at most as many as the
 * sequence numbers between the checkpoint and the newest kept row at or before the time (as-of-position.ts, some
 * twenty look-ups of the board's index), the checkpoint's bytes read from its record, not its state.
 */
export async function pastReadLane(
  history: Pick<HistoryStore, 'positionBounds' | 'rowFrom' | 'checkpoints'>,
  boardId: string,
  asOf: string,
  start: HistoryStart,
): Promise<Pick<JobOptions, 'long'>> {
  const from = start.checkpoint?.throughSeq ?? 0
  const through = (await asOfPosition(history, boardId, asOf)) ?? from
  const bytes = start.checkpoint ? ((await history.checkpoints(boardId)).find((checkpoint) => checkpoint.throughSeq === from)?.bytes ?? 0) : 0
  return laneOfRows(through - from, bytes)
}

const laneOfRows = (rows: number, checkpointBytes: number): Pick<JobOptions, 'long'> => (rows > rowsBeforeCompaction(checkpointBytes) ? { long: true } : {})
