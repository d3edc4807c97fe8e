import type { Logger } from '../log.ts'
import { PeriodicTask } from '../periodic-task.ts'

/**
 * Background catch-ups of the boards that changed, so that what a room is
 * known to hold of the update log (Room.completeThrough) keeps up with it.
 * Its own commits and the updates relayed from other instances cannot move
 * it (a row numbered lower may still be on its way in, or rolled back, on
 * PostgreSQL); only a read of the log can. Without these, a catch-up after a
 * Redis blip read every row committed since the board was loaded (40,000
 * rows after 90 s of three typists), however long it had been loaded. Every
 * `intervalMs` after the last round ended, each board that changed since is
 * caught up, one at a time for the whole process.
 */
export class TrailingCatchUps {
  private readonly changed = new Set<string>()
  // A run still going on when the next is due delays it, and a failed run is logged: the task's own habits.
  private readonly task: PeriodicTask<void>

  constructor(
    intervalMs: number,
    /** Settles once the board is caught up or its failure is owed (never rejects); a board unloaded meanwhile resolves at once. */
    private readonly catchUp: (boardId: string) => Promise<void>,
    logger: Logger,
  ) {
    this.task = new PeriodicTask(() => this.round(), { intervalMs, logger, failure: 'background catch-ups failed' })
    this.task.start()
  }

  /** The board's log moved on past what its room is known to hold (a commit here or elsewhere). */
  moved(boardId: string): void {
    this.changed.add(boardId)
  }

  /** The board is no longer loaded here. */
  forget(boardId: string): void {
    this.changed.delete(boardId)
  }

  /** Ends the rounds; one under way stops after the board it is catching up. */
  async close(): Promise<void> {
    this.changed.clear()
    await this.task.stop()
  }

  private async round(): Promise<void> {
    for (const boardId of [...this.changed]) {
      // Forgotten (unloaded, or the fan-out closed) while the round went on: skipped.
      if (this.changed.delete(boardId)) await this.catchUp(boardId)
    }
  }
}
