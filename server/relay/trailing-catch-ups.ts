import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'

/**
 * Background catch-ups of the boards that changed, so that what a room is
 * known to hold of the update log (Room.completeThrough) keeps up with it.
 * Its own commits and the updates relayed from other instances cannot move
 * it (a row numbered lower may still be on its way in, or rolled back, on
 * PostgreSQL); only a read of the log can. Without these, a catch-up after a
 * Redis blip read every row committed since the board was loaded (40,000
 * rows after 90 s of three typists), however long it had been loaded. Every
 * `intervalMs`, each board that changed since its last round is caught up,
 * one at a time for the whole process; a round still running when the next
 * is due is left to end first.
 */
export class TrailingCatchUps {
  private readonly changed = new Set<string>()
  private running = false
  private readonly timer: NodeJS.Timeout

  constructor(
    intervalMs: number,
    /** Settles once the board is caught up or its failure is owed (never rejects); a board unloaded meanwhile resolves at once. */
    private readonly catchUp: (boardId: string) => Promise<void>,
    logger: Logger,
  ) {
    // Caught all the same: a rejection left unhandled would end the process, not one board's catch-up.
    this.timer = setInterval(() => this.round().catch((error: unknown) => logger.error({ err: errorMessage(error) }, 'background catch-ups failed')), intervalMs)
    this.timer.unref()
  }

  /** The board's log moved on past what its room is known to hold (a commit here or elsewhere). */
  moved(boardId: string): void {
    this.changed.add(boardId)
  }

  /** The board is no longer loaded here. */
  forget(boardId: string): void {
    this.changed.delete(boardId)
  }

  close(): void {
    clearInterval(this.timer)
    this.changed.clear()
  }

  private async round(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (const boardId of [...this.changed]) {
        // Forgotten (unloaded, or the fan-out closed) while the round went on: skipped.
        if (this.changed.delete(boardId)) await this.catchUp(boardId)
      }
    } finally {
      this.running = false
    }
  }
}
