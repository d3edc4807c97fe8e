import type { Storage } from '../../server/storage/storage.ts'

/**
 * Counts the server's reads of each account (`storage.users.get`): deciding
 * who a request's credential belongs to reads its account last, so a test
 * knows when a request it sent has been authenticated. A test may also run
 * something of its own right after one read, before the server goes on with it.
 */
export class AccountReads {
  private readonly counts = new Map<string, number>()
  private armed: { userId: string; at: number; meanwhile: () => Promise<void> } | null = null

  of(userId: string): number {
    return this.counts.get(userId) ?? 0
  }

  /** Runs `meanwhile` once, right after the `nth` read of the account from now, before the server has what it read. */
  afterRead(userId: string, nth: number, meanwhile: () => Promise<void>): void {
    this.armed = { userId, at: this.of(userId) + nth, meanwhile }
  }

  get fired(): boolean {
    return this.armed === null
  }

  wrap = (storage: Storage): Storage => {
    const get = storage.users.get.bind(storage.users)
    storage.users.get = async (id) => {
      const user = await get(id)
      this.counts.set(id, this.of(id) + 1)
      const armed = this.armed
      if (armed?.userId === id && armed.at === this.of(id)) {
        this.armed = null
        await armed.meanwhile()
      }
      return user
    }
    return storage
  }
}
