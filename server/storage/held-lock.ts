/** What each dialect's serving lock gives (serving-lock.ts): a server's is shared, an import's exclusive. */
export type LockMode = 'shared' | 'exclusive'

export type HeldLock = {
  release(): Promise<void>
}

/** A server's lock, held shared for as long as it serves. */
export type SharedLock = HeldLock & {
  /**
   * Calls `handler` once should an import take the lock while this holder had
   * lost it (at once when that already happened). Only a server's lock on
   * PostgreSQL, and a kept exclusive lock on a file (the held-changes spool's)
   * whose new file another process took once it was deleted
   * (sqlite-serving-lock.ts), can be lost while its process lives.
   */
  onTakenAway(handler: () => void): void
  /**
   * Reads `count` (ExclusiveWriteStore.count: the database is migrated by now,
   * and nothing served yet), then reads it anew every second: a count that
   * moved means a command wrote the database alone while this server served
   * (its lock lapsed), and counts as the lock taken away. The locks that
   * cannot lapse never read it.
   */
  watchWrites(count: () => Promise<number>): Promise<void>
}

/** A command's lock, held exclusive while it writes the database alone. */
export type ExclusiveLock = HeldLock & {
  /**
   * Whether it is held still, asked of the database; false when it cannot
   * tell. Only a lock on PostgreSQL can lapse (its session ended) while its
   * process lives.
   */
  stillHeld(): Promise<boolean>
}
