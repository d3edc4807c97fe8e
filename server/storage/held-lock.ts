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
}
