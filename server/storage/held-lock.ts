/** What each dialect's serving lock gives (serving-lock.ts): a server's is shared, an import's exclusive. */
export type LockMode = 'shared' | 'exclusive'

export type HeldLock = {
  release(): Promise<void>
  /**
   * Calls `handler` once should an import take the lock while this holder had
   * lost it (at once when that already happened). Only a server's lock on
   * PostgreSQL can be lost while its process lives; the others never call it.
   */
  onTakenAway(handler: () => void): void
  /**
   * Reads `count` (ExclusiveWriteStore.count: the database is migrated by now,
   * and nothing served yet) and, each time the lock is taken again after
   * lapsing, reads it anew: a count that moved means a command wrote the
   * database alone in between, and counts as the lock taken away. The locks
   * that cannot lapse never read it.
   */
  watchWrites(count: () => Promise<number>): Promise<void>
}
