/**
 * Who held which presence client ids in a board's room when it was reset or
 * unloaded idle, kept for the room its board is loaded into next: every page
 * reconnects there with the id it had, into a presence that knows nobody, and
 * no other person may take an id before its own page is back (a laptop asleep
 * while the board sat empty and unloaded included).
 *
 * Bounded in time (`HANDOVER_KEPT_MS`) and in boards (`HANDOVER_BOARDS`, the
 * longest kept dropped first); each board's list holds at most
 * CLAIMS_PER_ACCOUNT ids for each account that has been in its room.
 */
import type { ClientIdHolders } from './room-presence.ts'

/** A page asleep for an afternoon still comes back as itself; past that its stock client has most likely been reloaded and drawn a new id. */
export const HANDOVER_KEPT_MS = 3 * 60 * 60 * 1000
/** Boards whose claims are kept while unloaded: a few MB at worst for ordinary rooms (64 ids an account, some 100 bytes each). */
export const HANDOVER_BOARDS = 1000

export class PresenceHandover {
  private readonly kept = new Map<string, { holders: ClientIdHolders; expiry: NodeJS.Timeout }>()

  keep(boardId: string, holders: ClientIdHolders): void {
    this.take(boardId)
    const expiry = setTimeout(() => this.kept.delete(boardId), HANDOVER_KEPT_MS)
    expiry.unref()
    this.kept.set(boardId, { holders, expiry })
    for (const longest of this.kept.keys()) {
      if (this.kept.size <= HANDOVER_BOARDS) break
      this.take(longest)
    }
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
