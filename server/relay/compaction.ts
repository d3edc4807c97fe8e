/**
 * Compaction as a relay extension: a board whose log has grown past a number
 * of rows after its checkpoint (reloading costs about 11 µs a row) is folded
 * into a new checkpoint, in the background and one board at a time, and its
 * history is then thinned to the history policy. The fold itself is `merge`
 * (the server runs it in a worker thread).
 */
import type { Logger } from '../log.ts'
import type { HistoryPolicy, MergeState, Storage, StoredBoardState } from '../storage/storage.ts'
import type { RoomExtension } from './room-extension.ts'
import type { Commit, Room } from './room.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type CompactionOptions = {
  storage: Pick<Storage, 'log' | 'history'>
  logger: Logger
  /** Compact a board once this many log rows follow its checkpoint. */
  afterRows?: number
  /** How a log is folded into a checkpoint: in a worker thread (history/fold-log.ts there), never on the relay's. */
  merge: MergeState
  /** How long a board's history is kept: after a compaction it is thinned to it (at most every few minutes). Kept whole otherwise. */
  history?: { policy: HistoryPolicy; now: () => Date }
}

export const COMPACT_AFTER_ROWS = 500

/** Thinning reads the sizes of a board's whole history: once in a while is enough, as its schedule is hours and days. */
const THIN_EVERY_MS = 10 * 60_000

export class Compaction implements RoomExtension {
  readonly name = 'compaction'
  /** Log rows after the checkpoint, per loaded board. */
  private readonly rows = new Map<string, number>()
  private readonly running = new Map<string, Promise<void>>()
  /** When each board's history was last thinned on this instance. */
  private readonly thinnedAt = new Map<string, number>()
  private readonly afterRows: number

  constructor(private readonly options: CompactionOptions) {
    this.afterRows = options.afterRows ?? COMPACT_AFTER_ROWS
  }

  onLoaded(room: Room, stored: StoredBoardState): void {
    this.rows.set(room.boardId, stored.updates.length)
    this.compactIfDue(room.boardId)
  }

  onCommitted(room: Room, commit: Commit): void {
    this.rows.set(room.boardId, (this.rows.get(room.boardId) ?? 0) + commit.updates)
    this.compactIfDue(room.boardId)
  }

  onUnloaded(room: Room): void {
    this.rows.delete(room.boardId)
    this.thinnedAt.delete(room.boardId)
  }

  /** Compacts a board's log now; resolves when done (a compaction already running is joined). */
  compact(boardId: string): Promise<void> {
    const running = this.running.get(boardId)
    if (running) return running
    const job = this.options.storage.log
      .compact(boardId, this.options.merge)
      .then(async ({ mergedRows }) => {
        const rows = this.rows.get(boardId)
        if (rows !== undefined) this.rows.set(boardId, Math.max(0, rows - mergedRows))
        this.options.logger.debug({ boardId, mergedRows }, 'compacted board log')
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
    const dropped = await this.options.storage.history.thin(boardId, history.policy, now.toISOString())
    if (dropped.rowsDropped + dropped.checkpointsDropped + dropped.changesDropped > 0) this.options.logger.info({ boardId, ...dropped }, 'thinned board history')
  }

  private compactIfDue(boardId: string): void {
    if ((this.rows.get(boardId) ?? 0) < this.afterRows) return
    // compact() logs its own failures; this catch is for anything that escapes them, so no rejection goes unhandled.
    this.compact(boardId).catch((error: unknown) => this.options.logger.error({ boardId, err: errorMessage(error) }, 'compaction failed'))
  }
}
