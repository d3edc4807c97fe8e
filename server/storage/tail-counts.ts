/**
 * How many rows follow a board's latest checkpoint, counted once and then
 * only for the rows added since. Every history read names the log's state by
 * it (http/history-reads.ts), and a board that never compacts (its rows kept
 * uncompacted by its settings, or its compaction failing) has all its rows
 * there: counting 100,000 of them took the relay's thread some 24 ms on
 * SQLite, for each read (BENCHMARKS.md).
 *
 * Kept right across instances, from the database alone: another instance's
 * appends raise the newest row, whose rows since are counted here; its
 * compaction moves the checkpoint, and a board's rows deleted and written
 * again start at another first row, and either is counted afresh. A board's
 * rows are numbered in the order they commit (its appends take its times
 * lock first: pg-update-log.ts), so none appears below the newest counted.
 * Rows after the checkpoint are deleted only by `assay board set-aside-damaged`,
 * refused while a server serves the database, and by this store's
 * deleteRows, which forgets the board.
 */
import type { TailState } from './storage.ts'

/** What a board's tail is read as before its rows are counted: its latest checkpoint and the first and newest row after it. */
export type TailBounds = { throughSeq: number; firstSeq: number | null; lastSeq: number | null }

/** Sequence numbers in (afterSeq, throughSeq] whose rows to count, and the rows already counted below them. */
export type TailCount = { afterSeq: number; throughSeq: number; counted: number }

type Counted = TailBounds & { rows: number }

/** Boards whose count is kept: beyond them, the least recently read is counted afresh when read again. */
const BOARDS_KEPT = 10_000

export class TailCounts {
  private readonly known = new Map<string, Counted>()

  /** Which rows of the tail `bounds` describes are still to count. */
  toCount(boardId: string, bounds: TailBounds): TailCount {
    const known = this.known.get(boardId)
    const lastSeq = bounds.lastSeq ?? bounds.throughSeq
    const continues = known && known.throughSeq === bounds.throughSeq && known.firstSeq === bounds.firstSeq && known.lastSeq !== null && known.lastSeq <= lastSeq
    return continues ? { afterSeq: known.lastSeq!, throughSeq: lastSeq, counted: known.rows } : { afterSeq: bounds.throughSeq, throughSeq: lastSeq, counted: 0 }
  }

  /** The tail's state once `rows` more were counted for `count`, kept for the board's next read. */
  counted(boardId: string, bounds: TailBounds, count: TailCount, rows: number): TailState {
    const state = { throughSeq: bounds.throughSeq, rows: count.counted + rows, lastSeq: bounds.lastSeq }
    this.known.delete(boardId)
    this.known.set(boardId, { ...bounds, rows: state.rows })
    if (this.known.size > BOARDS_KEPT) this.known.delete(this.known.keys().next().value!)
    return state
  }

  /** Counted afresh at the next read: rows after the checkpoint were deleted. */
  forget(boardId: string): void {
    this.known.delete(boardId)
  }
}
