/**
 * Who wrote each Yjs client id through this instance's sockets, per room: when
 * another instance relays other content under ids this room holds
 * (rewritten-ids.ts), the person who wrote them here can be named, and told
 * apart from the relayed update's author (someone writing under another's
 * client id). Bounded: an editor can draw a fresh client id at every
 * keystroke, and past the bound the oldest entries go.
 */
import * as Y from 'yjs'

/** Client ids remembered per room, at most. */
const MAX_CLIENTS = 4096

export class LocalWriters {
  private readonly writers = new Map<number, string>()

  /**
   * Runs `apply`, then notes `userId` as the writer of each of `clients` (the
   * ids whose structs the applied update lists) whose clock it advanced:
   * listing another's structs the doc holds already writes nothing. Only the
   * update's own clients are read, not the doc's every one.
   */
  record(doc: Y.Doc, clients: readonly number[], userId: string, apply: () => void): void {
    const before = clients.map((client) => Y.getState(doc.store, client))
    apply()
    clients.forEach((client, i) => {
      if (Y.getState(doc.store, client) === before[i]) return
      this.writers.delete(client)
      this.writers.set(client, userId)
      if (this.writers.size > MAX_CLIENTS) this.writers.delete(this.writers.keys().next().value!)
    })
  }

  /** The person who wrote `client`'s content here, if known. */
  writerOf(client: number): string | null {
    return this.writers.get(client) ?? null
  }
}
