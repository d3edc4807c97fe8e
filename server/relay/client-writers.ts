/**
 * Who wrote each Yjs client id of a board, per room: through this instance's
 * sockets, or, as another instance names them, in its commits. Yjs ties
 * nothing to a client id: whoever sends the next clock of someone's id takes
 * their place, and the first of two updates under one id to be stored wins.
 * An editor who sent a member's next clock to another instance just before
 * the member typed had their own text stored in place of the member's, under
 * the member's id. So an update that would advance a client id someone else
 * wrote is refused (`otherWriter`), and when another instance relays other
 * content under ids written here, the person who wrote them can be named
 * apart from the relayed update's author. Bounded: an editor can draw a fresh
 * client id at every keystroke, and past the bound the oldest entries go.
 */
import * as Y from 'yjs'
import type { DecodedUpdate } from './rewritten-ids.ts'

/** Client ids remembered per room, at most. */
const MAX_CLIENTS = 4096

export class ClientWriters {
  private readonly writers = new Map<number, string>()

  /**
   * Runs `apply`, then notes `userId` as the writer of each of `clients` (the
   * ids whose structs the applied update lists) whose clock it advanced:
   * listing another's structs the doc holds already writes nothing. Only the
   * update's own clients are read, not the doc's every one.
   */
  record(doc: Y.Doc, clients: Iterable<number>, userId: string, apply: () => void): void {
    const before = [...clients].map((client) => [client, Y.getState(doc.store, client)] as const)
    apply()
    for (const [client, clock] of before) {
      if (Y.getState(doc.store, client) === clock) continue
      this.writers.delete(client)
      this.writers.set(client, userId)
      if (this.writers.size > MAX_CLIENTS) this.writers.delete(this.writers.keys().next().value!)
    }
  }

  /**
   * Someone other than `userId` who wrote a client id that an update listing
   * structs up to `runEnds` (client → the clock after its last) would advance,
   * with the id; null when there is none.
   */
  otherWriter(doc: Y.Doc, runEnds: ReadonlyMap<number, number>, userId: string): { client: number; writer: string } | null {
    for (const [client, end] of runEnds) {
      const writer = this.writers.get(client)
      if (writer !== undefined && writer !== userId && end > Y.getState(doc.store, client)) return { client, writer }
    }
    return null
  }

  /** The person who wrote `client`'s content, if known. */
  writerOf(client: number): string | null {
    return this.writers.get(client) ?? null
  }
}

/** The client ids whose structs a decoded update lists. */
export function updateClients({ structs }: DecodedUpdate): Set<number> {
  return new Set(structs.map((struct) => struct.id.client))
}
