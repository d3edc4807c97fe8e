/**
 * What names the board as it was at a past time: the newest kept row or
 * checkpoint at or before it. Two times with no row between them are one
 * version, and a read of the board as of one (an export, its checks, its
 * state) is the read of the other: named by the time itself, an export asked
 * for a millisecond later redid 5.4 s of work before the same refusal
 * (briefing_too_large; red team 29c).
 *
 * Row times never fall along the sequence (history-time.ts), so the newest row
 * at or before the time is found by halving the rows between the checkpoints
 * around it, each step one look-up of the board's index on sequence: some
 * twenty, where a scan of their times would read up to an hour of typing
 * (200,000 rows) on the relay's thread. A checkpoint stands for the rows it
 * folded, which thinning may have dropped.
 */
import type { HistoryStore } from '../storage/storage.ts'

/** The sequence number of the newest kept row or checkpoint at or before `asOf`; null when there is none. */
export async function asOfPosition(history: Pick<HistoryStore, 'positionBounds' | 'rowFrom'>, boardId: string, asOf: string): Promise<number | null> {
  const { checkpoint, through } = await history.positionBounds(boardId, asOf)
  let found = checkpoint
  let low = (checkpoint ?? 0) + 1
  let high = through ?? 0
  while (low <= high) {
    const middle = Math.floor((low + high) / 2)
    const row = await history.rowFrom(boardId, middle)
    // No row from `middle` on is at or before the time (none up to `high`, or the first is later): the newest is below it.
    if (row === null || row.seq > high || row.at > asOf) high = middle - 1
    else {
      found = row.seq
      low = row.seq + 1
    }
  }
  return found
}
