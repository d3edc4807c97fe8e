/**
 * When a board's room on this instance may next be reset for a rewrite (an
 * update from another instance writing, under ids the room holds, other
 * content: rewritten-ids.ts). Each such reset closes every socket on the
 * board and loads it again, so one editor sending two instances a different
 * update under a fresh client id, round after round, could keep the board
 * reloading on every instance: at 2.5 rounds a second honest clients were
 * down 56% of the time. Kept by the registry, not the room, since a reset
 * room is replaced by the board loaded afresh.
 */
export class RewriteResets {
  /** When each board's room here was last reset for a rewrite (performance.now()), only while within the interval. */
  private readonly lastReset = new Map<string, number>()

  constructor(private readonly intervalMs: number) {}

  /** How long the board's next rewrite reset must wait: 0 when it may be now. */
  waitBefore(boardId: string, now = performance.now()): number {
    const last = this.lastReset.get(boardId)
    return last === undefined ? 0 : Math.max(0, last + this.intervalMs - now)
  }

  /** The board's room is reset for a rewrite now. */
  resetting(boardId: string, now = performance.now()): void {
    // Boards reset longer ago than the interval are forgotten, so that the map holds only boards still waiting.
    for (const [board, at] of this.lastReset) if (at + this.intervalMs <= now) this.lastReset.delete(board)
    this.lastReset.set(boardId, now)
  }
}
