/** What each dialect's serving lock gives (serving-lock.ts): a server's is shared, an import's exclusive. */
export type LockMode = 'shared' | 'exclusive'

export type HeldLock = { release(): Promise<void> }
