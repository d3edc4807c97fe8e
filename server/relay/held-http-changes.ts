/**
 * The HTTP changes answered `202` (SavingDelayed) whose commit has not yet
 * completed, by board. Unlike a websocket client's edits, which stay in the
 * client and are sent again on reconnecting, such a change has no copy but
 * this process's memory and its file in the held-changes spool
 * (held-change-spool.ts), and whoever sent it was told not to send it again
 * now. So a shutdown before it is saved names each one (RoomRegistry.close),
 * by route and person: it is stored when a server next starts on the same
 * DATA_DIR, and lost only should none ever do.
 */

/** Who sent a held change, and through which route: never its path, which may hold a token. */
export type HeldHttpChange = { route: string; accountId: string | null }

export class HeldHttpChanges {
  private readonly held = new Map<string, Set<HeldHttpChange>>()

  /** `change` on `boardId` is held until `saved` settles (rejected: its board was deleted, or its room unloaded after close named it). */
  hold(boardId: string, change: HeldHttpChange, saved: Promise<void>): void {
    const changes = this.held.get(boardId) ?? new Set()
    this.held.set(boardId, changes.add(change))
    const done = () => {
      changes.delete(change)
      if (changes.size === 0 && this.held.get(boardId) === changes) this.held.delete(boardId)
    }
    saved.then(done, done)
  }

  /** The changes held for `boardId`, oldest first. */
  of(boardId: string): HeldHttpChange[] {
    return [...(this.held.get(boardId) ?? [])]
  }
}
