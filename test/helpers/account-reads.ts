import type { Storage } from '../../server/storage/storage.ts'

/**
 * Counts the server's reads of each account (`storage.users.get`): deciding
 * who a request's credential belongs to reads its account last, so a test
 * knows when a request it sent has been authenticated.
 */
export class AccountReads {
  private readonly counts = new Map<string, number>()

  of(userId: string): number {
    return this.counts.get(userId) ?? 0
  }

  wrap = (storage: Storage): Storage => {
    const get = storage.users.get.bind(storage.users)
    storage.users.get = async (id) => {
      const user = await get(id)
      this.counts.set(id, this.of(id) + 1)
      return user
    }
    return storage
  }
}
