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
 *
 * While the instance is cut off Redis, nothing tells it that a board changed
 * elsewhere: each round then catches up every loaded board (`cutOffBoards`),
 * the same way, one at a time. So the instances serving a board keep seeing
 * each other's edits through the log, an interval late, for as long as Redis
 * is away, where before they saw none until it was back.
 */
export class TrailingCatchUps {
  private readonly changed = new Set<string>()
  // A run still going on when the next is due delays it, and a failed run is logged: the task's own habits.
  private readonly task: PeriodicTask<void>

  constructor(
    intervalMs: number,
    /** Settles once the board is caught up or its failure is owed (never rejects); a board unloaded meanwhile resolves at once. */
    private readonly catchUp: (boardId: string) => Promise<void>,
    /** The boards every round catches up whether or not they changed: all those loaded while cut off Redis, none otherwise. */
    private readonly cutOffBoards: () => Iterable<string>,
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
    const cutOff = new Set(this.cutOffBoards())
    for (const boardId of new Set([...this.changed, ...cutOff])) {
      // A changed board forgotten (unloaded) while the round went on is skipped, and an unloaded board's catch-up resolves
      // at once; the fan-out closing ends the round.
      const changed = this.changed.delete(boardId)
      if (this.task.stopped) return
      if (changed || cutOff.has(boardId)) await this.catchUp(boardId)
    }
  }
}
