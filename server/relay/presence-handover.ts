/**
 * Who held which presence client ids in a board's room when it was reset,
 * kept for the room its board is loaded into afresh: every page reconnects
 * there with the id it had, into a presence that knows nobody, and no other
 * person may take an id before its own page is back. Kept as long as a
 * removed id is remembered (`keepMs`), then dropped.
 */
import type { ClientIdHolders } from './room-presence.ts'

export class PresenceHandover {
  private readonly kept = new Map<string, { holders: ClientIdHolders; expiry: NodeJS.Timeout }>()

  constructor(private readonly keepMs: number) {}

  keep(boardId: string, holders: ClientIdHolders): void {
    this.take(boardId)
    const expiry = setTimeout(() => this.kept.delete(boardId), this.keepMs)
    expiry.unref()
    this.kept.set(boardId, { holders, expiry })
  }

  /** What was kept for the board, handed over once. */
  take(boardId: string): ClientIdHolders | undefined {
    const kept = this.kept.get(boardId)
    if (!kept) return undefined
    clearTimeout(kept.expiry)
    this.kept.delete(boardId)
    return kept.holders
  }

  clear(): void {
    for (const { expiry } of this.kept.values()) clearTimeout(expiry)
    this.kept.clear()
  }
}
