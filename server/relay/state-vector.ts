/**
 * A sync step 1's state vector as the board's document can answer it. A vector
 * may name clients the document has never seen, or clocks past the ones it
 * holds; Yjs sends nothing for those, exactly as for the document's own clocks.
 * Brought within the document's, every vector of a client that holds nothing
 * is the empty one, and every vector of a client that holds everything is the
 * document's own: the replies the room keeps encoded, so that varying them
 * no longer costs an encoding of the board each.
 */
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'

/**
 * Clients a state vector may name beyond the document's own: a client's
 * changes not yet sent, written under as many client ids as the page was
 * opened times while offline.
 */
const CLIENTS_BEYOND_THE_DOCUMENT = 1024

/**
 * The encoded state vector, refused (thrown, as a malformed frame) when it
 * names more clients than the document holds and a page could add: decoding
 * costs the relay about a microsecond a client, and a reviewer's vector of a
 * million held it three quarters of a second.
 */
export function withinStateVectorSize(encoded: Uint8Array, doc: Y.Doc): Uint8Array {
  const clients = decoding.readVarUint(decoding.createDecoder(encoded))
  const allowed = doc.store.clients.size + CLIENTS_BEYOND_THE_DOCUMENT
  if (clients > allowed) throw new Error(`a state vector of ${clients} clients, where this board has ${doc.store.clients.size}`)
  return encoded
}

/** `clocks` within `doc`'s own: the clients it lacks and zero clocks dropped, clocks past its own lowered to them. */
export function withinDoc(clocks: Map<number, number>, doc: Y.Doc): Map<number, number> {
  const within = new Map<number, number>()
  for (const [client, clock] of clocks) {
    const held = Math.min(clock, Y.getState(doc.store, client))
    if (held > 0) within.set(client, held)
  }
  return within
}

/** Whether `clocks` (within the doc) hold all of `doc`: the reply carries no content, only the doc's deletions. */
export function holdsAllOf(clocks: Map<number, number>, doc: Y.Doc): boolean {
  if (clocks.size !== doc.store.clients.size) return false
  for (const [client, clock] of clocks) if (clock !== Y.getState(doc.store, client)) return false
  return true
}

/** Whether two state vectors (within a doc) name the same clocks. */
export function sameClocks(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false
  for (const [client, clock] of a) if (b.get(client) !== clock) return false
  return true
}

/**
 * The share of `doc`'s items (counted by their clocks, over every client)
 * that `clocks` (within the doc) lack: about the share of the doc a reply to
 * them carries, and of its encoding's cost past its fixed part.
 */
export function missingShareOf(clocks: Map<number, number>, doc: Y.Doc): number {
  let all = 0
  let missing = 0
  for (const client of doc.store.clients.keys()) {
    const state = Y.getState(doc.store, client)
    all += state
    missing += state - (clocks.get(client) ?? 0)
  }
  return all === 0 ? 0 : missing / all
}
