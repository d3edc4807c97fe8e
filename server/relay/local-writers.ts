/**
 * Who wrote each Yjs client id through this instance's sockets, per room: when
 * another instance relays other content under ids this room holds
 * (rewritten-ids.ts), the person who wrote them here can be named, and told
 * apart from the relayed update's author (someone writing under another's
 * client id). Bounded: an editor can draw a fresh client id at every
 * keystroke, and past the bound the oldest entries go.
 */
import type * as Y from 'yjs'

/** Client ids remembered per room, at most. */
const MAX_CLIENTS = 4096

export class LocalWriters {
  private readonly writers = new Map<number, string>()

  /** `userId` wrote what `transaction` added: every client id whose clock it advanced. */
  wrote(transaction: Y.Transaction, userId: string): void {
    for (const [client, clock] of transaction.afterState) {
      if ((transaction.beforeState.get(client) ?? 0) === clock) continue
      this.writers.delete(client)
      this.writers.set(client, userId)
      if (this.writers.size > MAX_CLIENTS) this.writers.delete(this.writers.keys().next().value!)
    }
  }

  /** The person who wrote `client`'s content here, if known. */
  writerOf(client: number): string | null {
    return this.writers.get(client) ?? null
  }
}
