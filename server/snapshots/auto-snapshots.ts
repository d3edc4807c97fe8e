/**
 * Automatic snapshots, a relay extension: every interval, each board changed
 * since its latest snapshot and due one (auto-snapshot-due.ts: enough written
 * since, or the latest a day old) gets a new one, and its older automatic snapshots
 * beyond the retention count are deleted (named ones, restore points and
 * reviewed ones never are). The relay tells it which boards this instance
 * committed changes to; its first sweep also asks the storage which boards
 * changed since their latest snapshot (before a restart, say). Several
 * instances may sweep one board at once: the store records a board's
 * automatic snapshot only if its content differs from the latest one and no
 * snapshot was made in the last half interval, under a per-board lock. Each
 * board is rebuilt in a worker thread, never on the relay's.
 */
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import { PeriodicTask } from '../periodic-task.ts'
import type { RoomExtension } from '../relay/room-extension.ts'
import type { Room } from '../relay/room.ts'
import type { Storage } from '../storage/storage.ts'
import { asServer } from '../workers/job-owner.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import type { Actor } from './actor.ts'
import { autoSnapshotDue } from './auto-snapshot-due.ts'
import { captureStoredBoard } from './stored-board.ts'
import { settledCapture } from './settled-capture.ts'
import { recordSnapshot } from './record-snapshot.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type AutoSnapshotOptions = {
  /** 0 turns the timer off; `runOnce` still works. */
  intervalMs: number
  /** Automatic snapshots kept per board. */
  keep: number
}

export type SweepResult = { taken: string[]; pruned: number }

export const AUTO_SNAPSHOT_LABEL = 'Automatic snapshot'
const AUTO_AUTHOR: Actor = { id: null, name: 'Assay' }

export class AutoSnapshots implements RoomExtension {
  readonly name = 'automatic snapshots'
  private readonly task: PeriodicTask<SweepResult>
  /** Boards this instance committed changes to since they were last swept. */
  private changed = new Set<string>()
  /** Whether a sweep has asked the storage what changed before this process knew. */
  private seeded = false

  constructor(
    /** `clock`: the one the storage dates snapshots by. */
    private readonly parts: { storage: Storage; logger: Logger; workers: WorkerPool; clock: Clock },
    private readonly options: AutoSnapshotOptions,
  ) {
    this.task = new PeriodicTask(() => this.sweep(), { intervalMs: options.intervalMs, logger: parts.logger, failure: 'automatic snapshots failed' })
  }

  start(): void {
    this.task.start()
  }

  onCommitted(room: Room): void {
    this.boardChanged(room.boardId)
  }

  /** A board changed other than by its room's commit: created, its first state stored with it (create-board.ts). */
  boardChanged(boardId: string): void {
    this.changed.add(boardId)
  }

  /** Stops the timer and waits for a sweep in progress to finish its current board. */
  close(): Promise<void> {
    return this.task.stop()
  }

  /** One sweep now; a sweep already running is joined rather than doubled. */
  runOnce(): Promise<SweepResult> {
    return this.task.runOnce()
  }

  private async sweep(): Promise<SweepResult> {
    const { storage, logger } = this.parts
    const result: SweepResult = { taken: [], pruned: 0 }
    const boards = this.changed
    this.changed = new Set()
    if (!this.seeded) {
      for (const boardId of await storage.snapshots.changedBoards()) boards.add(boardId)
      this.seeded = true
    }
    for (const boardId of boards) {
      if (this.task.stopped) {
        this.changed.add(boardId)
        continue
      }
      try {
        // Too little written since the latest snapshot to store the whole board again: looked at again next sweep.
        if (!(await autoSnapshotDue(storage, boardId, this.parts.clock().getTime(), this.options.intervalMs))) {
          this.changed.add(boardId)
          continue
        }
        // Rebuilt in a worker thread: a sweep over large boards must not stall the relay. The server's own work, whoever set the sweep off.
        const taken = await settledCapture(async () => {
          const captured = await asServer(() => captureStoredBoard(this.parts, boardId))
          if (!captured) return null
          const now = this.parts.clock().getTime()
          const recent = { since: new Date(now - this.options.intervalMs / 2).toISOString(), now: new Date(now).toISOString() }
          const made = await recordSnapshot(storage, boardId, captured, { label: AUTO_SNAPSHOT_LABEL, kind: 'auto', author: AUTO_AUTHOR }, { unlessUnchanged: true, unlessRecent: recent })
          return { captured, made }
        })
        if (!taken) continue
        const { captured, made } = taken
        if (made) result.taken.push(made.id)
        // Skipped because another instance snapshotted the board just now: what changed since waits for the next sweep.
        else if ((await storage.snapshots.latest(boardId))?.contentHash !== captured.contentHash) this.changed.add(boardId)
        result.pruned += await storage.snapshots.pruneAuto(boardId, this.options.keep)
      } catch (error) {
        // One board's failure (e.g. it was deleted meanwhile) must not stop the others' snapshots; it is tried again next time.
        this.changed.add(boardId)
        logger.warn({ boardId, err: errorMessage(error) }, 'automatic snapshot failed')
      }
    }
    if (result.taken.length > 0 || result.pruned > 0) {
      logger.info({ taken: result.taken.length, pruned: result.pruned }, 'automatic snapshots')
    }
    return result
  }
}

