/**
 * A board's turn: the changes worked out on the board as stored (an import, a
 * restore) take it one at a time, each from when it reads the board until its
 * change is committed. Within one process the turn is a queue per board; a
 * SQLite file is served by one process, so that is all it needs. Several
 * instances on one PostgreSQL database also take the turn across instances
 * (pg-board-turns.ts).
 */
import type { TurnHolder } from '../storage/storage.ts'

export interface BoardTurns {
  /**
   * Runs `work` once it holds the board's turn, and gives the turn up when
   * `work` settles. `work` is given the database session holding the turn,
   * its changes to be committed only while that session still does
   * (UpdateLogStore.appendInTurn); null when the turn is the process' own.
   */
  take<T>(boardId: string, work: (turn: TurnHolder | null) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** The turn among this process' changes: each board's queue of them. */
export class ProcessTurns implements BoardTurns {
  private readonly queues = new Map<string, Promise<unknown>>()

  take<T>(boardId: string, work: (turn: null) => Promise<T>): Promise<T> {
    const run = () => work(null)
    const next = (this.queues.get(boardId) ?? Promise.resolve()).then(run, run)
    this.queues.set(boardId, next)
    const forget = () => {
      if (this.queues.get(boardId) === next) this.queues.delete(boardId)
    }
    next.then(forget, forget)
    return next
  }

  async close(): Promise<void> {}
}
