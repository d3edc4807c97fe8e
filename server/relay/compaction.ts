/**
 * Compaction as a relay extension: a board whose log has grown past a number
 * of rows after its checkpoint (reloading costs about 11 µs a row) is folded
 * into a new checkpoint, in the background and one board at a time, and its
 * history is then thinned to the history policy. The fold itself is `merge`
 * (the server runs it in a worker thread).
 *
 * How many rows wait for a fold grows with the board: a fold costs about the
 * same whether it takes 500 rows or 5,000 (rebuilding the checkpoint and
 * encoding it again is nearly all of it: some 450 ms of CPU on a board of
 * 1,000 assessments), while the rows it leaves cost a load little beside
 * applying that checkpoint. A board is folded once its rows number both
 * `afterRows` and one per ROW_PER_STATE_BYTES of its last checkpoint (or, loaded
 * with none, `afterRows`).
 *
 * A compaction folds at most a slice of the rows (`sliceRows`, the oldest
 * first) and writes a checkpoint through the last of them; while the rows
 * left still number what the board waits for, the next slice follows at once,
 * whether or not anyone edits. Folding everything since the checkpoint let a
 * backlog that outgrew the time budget grow with every attempt stopped (a
 * board of 12 MB typed on a keystroke a row: 15 attempts, 71,000 rows, none
 * done). A compaction that fails is tried again after a wait that doubles
 * (RETRY_FIRST_MS to RETRY_LAST_MS), and is logged and counted (`failed`).
 * One whose fold was too large for its thread (over its time budget, or its
 * memory) has its slice halved, and the board keeps the slice that fits until
 * its backlog is folded: back at the full slice after each success, a board
 * whose full slice overran failed once for every slice it folded (each
 * failure a thread held for the whole budget, the failures counted on while
 * the board was being compacted). Another failure (the database's, a thread
 * that died) says nothing of the slice's size, which is kept.
 */
import type { Logger } from '../log.ts'
import type { HistoryPolicy, MergeState, Storage, StoredBoardState } from '../storage/storage.ts'
import type { RoomExtension } from './room-extension.ts'
import type { Commit } from './commit-log.ts'
import type { Room } from './room.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { thinAlone } from '../history/one-thinning.ts'
import { COMPACTION_SLICE_ROWS } from './compaction-slice.ts'
import { WorkerJobError } from '../workers/worker-errors.ts'

export type CompactionOptions = {
  storage: Pick<Storage, 'log' | 'history'>
  logger: Logger
  /** Compact a board once at least this many log rows follow its checkpoint (more on a larger board: rowsBeforeCompaction). */
  afterRows?: number
  /** How a log is folded into a checkpoint: in a worker thread (history/fold-log.ts there), never on the relay's. */
  merge: MergeState
  /** How long a board's history is kept: after a compaction it is thinned to it (at most every few minutes). Kept whole otherwise. */
  history?: { policy: HistoryPolicy; now: () => Date }
  /** Rows one compaction folds at most (COMPACTION_SLICE_ROWS). */
  sliceRows?: number
  /** Counts a compaction that failed (a metric). */
  failed?: () => void
  /**
   * Charges an author (a log row's origin) the bytes a compaction recorded of
   * their changes (storage's Compacted.recordedByAuthor): the server, against
   * the person's written bytes of the hour.
   */
  chargeRecorded?: (author: string, bytes: number) => void
  /** The wait before a failed compaction is tried again, doubled after each failure in a row (RETRY_FIRST_MS). */
  retryFirstMs?: number
}

export const COMPACT_AFTER_ROWS = 500

/** A slice too large for its thread is halved down to this. */
const SMALLEST_SLICE_ROWS = 100
/** The wait before a failed compaction is tried again, doubled after each failure up to the last. */
const RETRY_FIRST_MS = 5_000
const RETRY_LAST_MS = 5 * 60_000

/** Per loaded board: its log rows after the checkpoint, how many it waits for before a fold, its failures in a row, and the rows its next fold takes at most. */
type BoardCompaction = { rows: number; due: number; failures: number; slice: number; retry?: NodeJS.Timeout }

/**
 * Past 1 MiB of checkpoint, a board waits for one more row per 2 KiB: 1,850
 * rows on the board of 1,000 assessments (3.8 MB), whose compactions come a
 * quarter as often; its cold load with that many keystrokes after the
 * checkpoint is within the spread of one without (medians of seven: 143 and
 * 155 ms; with 3,700, 222 ms).
 */
export const ROW_PER_STATE_BYTES = 2048

/** How many rows after its checkpoint a board waits for before it is folded. */
export function rowsBeforeCompaction(checkpointBytes: number, afterRows = COMPACT_AFTER_ROWS): number {
  return Math.max(afterRows, Math.ceil(checkpointBytes / ROW_PER_STATE_BYTES))
}

/** Thinning reads the sizes of a board's whole history: once in a while is enough, as its schedule is hours and days. */
const THIN_EVERY_MS = 10 * 60_000
/**
 * Checkpoints and recorded changes a board's compactions may add before its
 * history is thinned again sooner than THIN_EVERY_MS: what passes the byte cap
 * (HISTORY_MAX_MB) is dropped within this much, not ten minutes of edits later.
 */
const THIN_AFTER_ADDED_BYTES = 32 * 1024 * 1024

export class Compaction implements RoomExtension {
  readonly name = 'compaction'
  private readonly boards = new Map<string, BoardCompaction>()
  private readonly running = new Map<string, Promise<void>>()
  /** When each board's history was last thinned on this instance. */
  private readonly thinnedAt = new Map<string, number>()
  /** The bytes each board's compactions on this instance added since it was last thinned here. */
  private readonly addedSinceThinning = new Map<string, number>()
  private readonly afterRows: number
  private readonly sliceRows: number

  constructor(private readonly options: CompactionOptions) {
    this.afterRows = options.afterRows ?? COMPACT_AFTER_ROWS
    this.sliceRows = options.sliceRows ?? COMPACTION_SLICE_ROWS
  }

  onLoaded(room: Room, stored: StoredBoardState): void {
    this.boards.set(room.boardId, { rows: stored.updates.length, due: this.rowsBefore(stored.checkpoint?.byteLength ?? 0), failures: 0, slice: this.sliceRows })
    this.compactIfDue(room.boardId)
  }

  onCommitted(room: Room, commit: Commit): void {
    const board = this.boards.get(room.boardId)
    if (board) board.rows += commit.rows
    this.compactIfDue(room.boardId)
  }

  onUnloaded(room: Room): void {
    clearTimeout(this.boards.get(room.boardId)?.retry)
    this.boards.delete(room.boardId)
    this.thinnedAt.delete(room.boardId)
    this.addedSinceThinning.delete(room.boardId)
  }

  /**
   * Compacts a slice of a board's log now; resolves when done (a compaction already running is joined). The next
   * slice follows on its own while the board is loaded and its rows left are due.
   */
  compact(boardId: string): Promise<void> {
    const running = this.running.get(boardId)
    if (running) return running
    const job = this.compactSlice(boardId).finally(() => {
      this.running.delete(boardId)
      this.compactIfDue(boardId)
    })
    this.running.set(boardId, job)
    return job
  }

  /** Waits for the compactions under way, and calls off the retries: the storage they write to closes next. */
  async close(): Promise<void> {
    for (const board of this.boards.values()) clearTimeout(board.retry)
    this.boards.clear()
    await Promise.allSettled(this.running.values())
  }

  /** One slice folded, then the history thinned; a failure of either is logged here, never thrown. */
  private async compactSlice(boardId: string): Promise<void> {
    const sliceRows = this.boards.get(boardId)?.slice ?? this.sliceRows
    let compacted
    try {
      compacted = await this.options.storage.log.compact(boardId, this.options.merge, sliceRows)
    } catch (error) {
      this.failed(boardId, sliceRows, error)
      return
    }
    const { mergedRows, checkpointBytes, changeBytes, recordedByAuthor } = compacted
    this.charge(boardId, recordedByAuthor)
    this.addedSinceThinning.set(boardId, (this.addedSinceThinning.get(boardId) ?? 0) + checkpointBytes + changeBytes)
    const board = this.boards.get(boardId)
    if (board) board.failures = 0
    if (board && mergedRows > 0) {
      board.rows = Math.max(0, board.rows - mergedRows)
      board.due = this.rowsBefore(checkpointBytes)
    } else if (board) {
      // Nothing to fold, or another instance wrote first (and folds them): counted again from the next commit, so no next slice spins on it.
      board.rows = 0
    }
    // The backlog is folded: the next one starts from the whole slice again.
    if (board && board.rows < board.due) board.slice = this.sliceRows
    this.options.logger.debug({ boardId, mergedRows, checkpointBytes, changeBytes }, 'compacted board log')
    try {
      await this.thin(boardId)
    } catch (error) {
      this.options.logger.error({ boardId, err: errorMessage(error) }, 'thinning of the history failed')
    }
  }

  /** Charges each author what a compaction recorded of theirs; a failure to is logged, and the compaction stands. */
  private charge(boardId: string, recordedByAuthor: ReadonlyMap<string, number>): void {
    const { chargeRecorded } = this.options
    if (!chargeRecorded) return
    for (const [author, bytes] of recordedByAuthor) {
      try {
        chargeRecorded(author, bytes)
      } catch (error) {
        this.options.logger.error({ boardId, author, bytes, err: errorMessage(error) }, 'could not charge recorded changes to their author')
      }
    }
  }

  /** Logs and counts a failed compaction and tries the board again after a wait that doubles with each failure in a row. */
  private failed(boardId: string, sliceRows: number, error: unknown): void {
    this.options.failed?.()
    const board = this.boards.get(boardId)
    const failures = board ? ++board.failures : 1
    if (board && foldTooLarge(error)) board.slice = Math.max(Math.min(SMALLEST_SLICE_ROWS, this.sliceRows), Math.floor(sliceRows / 2))
    const retryMs = Math.min(RETRY_LAST_MS, (this.options.retryFirstMs ?? RETRY_FIRST_MS) * 2 ** (failures - 1))
    this.options.logger.error({ boardId, err: errorMessage(error), failures, sliceRows, retryMs }, 'compaction failed; tried again later')
    if (!board) return
    clearTimeout(board.retry)
    board.retry = setTimeout(() => {
      board.retry = undefined
      this.compactIfDue(boardId)
    }, retryMs)
    // A wait for a retry keeps no process alive.
    board.retry.unref()
  }

  /** Drops what the history policy no longer keeps of the board, unless done a little while ago. */
  private async thin(boardId: string): Promise<void> {
    const history = this.options.history
    if (!history) return
    const now = history.now()
    const last = this.thinnedAt.get(boardId)
    const added = this.addedSinceThinning.get(boardId) ?? 0
    if (last !== undefined && now.getTime() - last < THIN_EVERY_MS && added < THIN_AFTER_ADDED_BYTES) return
    this.thinnedAt.set(boardId, now.getTime())
    this.addedSinceThinning.set(boardId, 0)
    // Skipped while the hourly sweep is at the board: the next compaction's thinning, or sweep, thins it again.
    const dropped = await thinAlone(boardId, () => this.options.storage.history.thin(boardId, history.policy, now.toISOString()))
    if (dropped && dropped.rowsDropped + dropped.checkpointsDropped + dropped.changesDropped > 0) this.options.logger.info({ boardId, ...dropped }, 'thinned board history')
  }

  private rowsBefore(checkpointBytes: number): number {
    return rowsBeforeCompaction(checkpointBytes, this.afterRows)
  }

  private compactIfDue(boardId: string): void {
    const board = this.boards.get(boardId)
    // A board waiting for its retry is left alone by commits meanwhile: a failing fold is not started again on every keystroke.
    if (!board || board.rows < board.due || board.retry || this.running.has(boardId)) return
    // compact() logs its own failures; this catch is for anything that escapes them, so no rejection goes unhandled.
    this.compact(boardId).catch((error: unknown) => this.options.logger.error({ boardId, err: errorMessage(error) }, 'compaction failed'))
  }
}

/** A fold stopped for what its rows cost its thread (time or memory): fewer rows may fit. */
function foldTooLarge(error: unknown): boolean {
  return error instanceof WorkerJobError && (error.refusal === 'over-time' || error.refusal === 'out-of-memory')
}
