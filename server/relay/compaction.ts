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
 */
import type { Logger } from '../log.ts'
import type { HistoryPolicy, MergeState, Storage, StoredBoardState } from '../storage/storage.ts'
import type { RoomExtension } from './room-extension.ts'
import type { Commit } from './commit-log.ts'
import type { Room } from './room.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { thinAlone } from '../history/one-thinning.ts'

export type CompactionOptions = {
  storage: Pick<Storage, 'log' | 'history'>
  logger: Logger
  /** Compact a board once at least this many log rows follow its checkpoint (more on a larger board: rowsBeforeCompaction). */
  afterRows?: number
  /** How a log is folded into a checkpoint: in a worker thread (history/fold-log.ts there), never on the relay's. */
  merge: MergeState
  /** How long a board's history is kept: after a compaction it is thinned to it (at most every few minutes). Kept whole otherwise. */
  history?: { policy: HistoryPolicy; now: () => Date }
}

export const COMPACT_AFTER_ROWS = 500

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

export class Compaction implements RoomExtension {
  readonly name = 'compaction'
  /** Per loaded board: its log rows after the checkpoint, and how many it waits for before a fold. */
  private readonly boards = new Map<string, { rows: number; due: number }>()
  private readonly running = new Map<string, Promise<void>>()
  /** When each board's history was last thinned on this instance. */
  private readonly thinnedAt = new Map<string, number>()
  private readonly afterRows: number

  constructor(private readonly options: CompactionOptions) {
    this.afterRows = options.afterRows ?? COMPACT_AFTER_ROWS
  }

  onLoaded(room: Room, stored: StoredBoardState): void {
    this.boards.set(room.boardId, { rows: stored.updates.length, due: this.rowsBefore(stored.checkpoint?.byteLength ?? 0) })
    this.compactIfDue(room.boardId)
  }

  onCommitted(room: Room, commit: Commit): void {
    const board = this.boards.get(room.boardId)
    if (board) board.rows += commit.rows
    this.compactIfDue(room.boardId)
  }

  onUnloaded(room: Room): void {
    this.boards.delete(room.boardId)
    this.thinnedAt.delete(room.boardId)
  }

  /** Compacts a board's log now; resolves when done (a compaction already running is joined). */
  compact(boardId: string): Promise<void> {
    const running = this.running.get(boardId)
    if (running) return running
    const job = this.options.storage.log
      .compact(boardId, this.options.merge)
      .then(async ({ mergedRows, checkpointBytes }) => {
        const board = this.boards.get(boardId)
        if (board && mergedRows > 0) {
          board.rows = Math.max(0, board.rows - mergedRows)
          board.due = this.rowsBefore(checkpointBytes)
        }
        this.options.logger.debug({ boardId, mergedRows, checkpointBytes }, 'compacted board log')
        await this.thin(boardId)
      })
      .catch((error: unknown) => {
        this.options.logger.error({ boardId, err: errorMessage(error) }, 'compaction or thinning of the history failed')
      })
      .finally(() => this.running.delete(boardId))
    this.running.set(boardId, job)
    return job
  }

  /** Waits for the compactions under way: the storage they write to closes next. */
  async close(): Promise<void> {
    await Promise.allSettled(this.running.values())
  }

  /** Drops what the history policy no longer keeps of the board, unless done a little while ago. */
  private async thin(boardId: string): Promise<void> {
    const history = this.options.history
    if (!history) return
    const now = history.now()
    const last = this.thinnedAt.get(boardId)
    if (last !== undefined && now.getTime() - last < THIN_EVERY_MS) return
    this.thinnedAt.set(boardId, now.getTime())
    // Skipped while the hourly sweep is at the board: the next compaction's thinning, or sweep, thins it again.
    const dropped = await thinAlone(boardId, () => this.options.storage.history.thin(boardId, history.policy, now.toISOString()))
    if (dropped && dropped.rowsDropped + dropped.checkpointsDropped + dropped.changesDropped > 0) this.options.logger.info({ boardId, ...dropped }, 'thinned board history')
  }

  private rowsBefore(checkpointBytes: number): number {
    return rowsBeforeCompaction(checkpointBytes, this.afterRows)
  }

  private compactIfDue(boardId: string): void {
    const board = this.boards.get(boardId)
    if (!board || board.rows < board.due) return
    // compact() logs its own failures; this catch is for anything that escapes them, so no rejection goes unhandled.
    this.compact(boardId).catch((error: unknown) => this.options.logger.error({ boardId, err: errorMessage(error) }, 'compaction failed'))
  }
}
