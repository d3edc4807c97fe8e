/**
 * When a board's room on this instance may next be reset for a rewrite (an
 * update from another instance writing, under ids the room holds, other
 * content: rewritten-ids.ts), or for a commit refused as its client id is
 * another account's (ClientIdTaken). Each such reset closes every socket on
 * the board and loads it again, so one editor sending two instances a
 * different update under a fresh client id, round after round, could keep
 * the board reloading on every instance: at 2.5 rounds a second honest
 * clients were down 56% of the time; two accounts writing one fresh id at
 * once, one on each instance, 31% at three rounds a second. Kept by the
 * registry, not the room, since a reset room is replaced by the board loaded
 * afresh; so is when each board's error line for these was last written,
 * once an interval.
 */
export class RewriteResets {
  /** When each board's room here was last reset for a rewrite (performance.now()), only while within the interval. */
  private readonly lastReset = new Map<string, number>()

  /** When each board's line was last written (performance.now()), and how many were found since without one. */
  private readonly lines = new Map<string, { at: number; unlogged: number }>()

  constructor(private readonly intervalMs: number) {}

  /**
   * One more found on the board: how many since its last line, this one
   * included, when a line is due (once an interval), else null (counted for
   * the next). A round a second would otherwise write a line a second.
   */
  lineDue(boardId: string, now = performance.now()): number | null {
    for (const [board, line] of this.lines) if (line.unlogged === 0 && line.at + this.intervalMs <= now) this.lines.delete(board)
    const last = this.lines.get(boardId)
    if (last !== undefined && last.at + this.intervalMs > now) {
      last.unlogged++
      return null
    }
    this.lines.set(boardId, { at: now, unlogged: 0 })
    return (last?.unlogged ?? 0) + 1
  }

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
