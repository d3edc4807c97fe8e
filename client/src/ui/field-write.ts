/**
 * Which write a plain field's stored value is, and which writes it was made
 * over: what tells a field whether a colleague's change was made over this
 * person's own (they saw it) or at the same time (both replaced the same
 * value, and the document keeps only one of the two), and what it was made
 * from.
 */
import * as Y from 'yjs'

export type FieldWrite = {
  /** `client:clock` of the write. */
  id: string
  /** The Yjs client id of the page that wrote it (the presence id of that page, for its writer's name). */
  client: number
  /**
   * The first of this write and the writes it was made over, nearest first,
   * that `known` names; null when none is. Several writes made one over
   * another can arrive in one sync: the one stored then replaced a write the
   * page never saw, yet may have been made over one it saw some writes back.
   */
  nearest(known: (id: string) => boolean): string | null
}

/**
 * Read from the map's entry for the key: a map entry's origin is the entry it
 * was written over, as the writer's copy held it (how Yjs orders concurrent
 * writes of one key). Null when the key was never written.
 *
 * `_map` is Yjs's own (typed, not documented): no public API reaches a key's
 * entry, and the entry's origin is the only record of what its writer had
 * seen. A map's events give the old value, not which write it was (one
 * value may be written twice), and this client's own last write says
 * nothing of whether a colleague saw it. So it is read here, and each
 * origin's entry found in the document's store (`findIndexSS`, exported but
 * not documented), and field-write.test.ts pins each behaviour relied on
 * (Yjs joining one writer's replaced entries among them), so that a Yjs
 * upgrade changing one fails there.
 */
export function fieldWrite(map: Y.Map<unknown> | undefined, key: string): FieldWrite | null {
  const item = map?._map.get(key)
  const store = map?.doc?.store
  if (!item || !store) return null
  // An emptied field's entry may be joined with this writer's earlier ones (writtenOver): its last write is the latest.
  const last = Y.createID(item.id.client, item.id.clock + item.length - 1)
  return { id: idText(last), client: last.client, nearest: (known) => nearestWrite(store, last, known) }
}

function nearestWrite(store: Y.Doc['store'], from: Y.ID, known: (id: string) => boolean): string | null {
  for (let id: Y.ID | null = from; id !== null; id = writtenOverIn(store, id)) {
    const text = idText(id)
    if (known(text)) return text
  }
  return null
}

/** The write `id` was made over, or null: the key's first write, or one the document no longer holds. */
function writtenOverIn(store: Y.Doc['store'], id: Y.ID): Y.ID | null {
  const structs = store.clients.get(id.client)
  const last = structs?.at(-1)
  if (!structs || !last || id.clock >= last.id.clock + last.length) return null
  const struct = structs[Y.findIndexSS(structs, id.clock)]
  // Collected with its map (the entity deleted): no origin is kept.
  if (!(struct instanceof Y.Item)) return null
  return writtenOver(struct, id)
}

/**
 * The rule every reader of a field's writes goes by, in one place: the write `id`, which the map entry `entry`
 * holds, was made over the write this returns (null: the key's first write). Yjs joins one writer's writes of a
 * key, each made over the one before, into one entry once they are replaced; an entry's first write was made
 * over its origin, the entry its writer's copy held. Two writes made over one write, neither over the other,
 * crossed: the document keeps one of them (crossed-writes.ts).
 */
export function writtenOver(entry: Y.Item, id: Y.ID): Y.ID | null {
  return id.clock > entry.id.clock ? Y.createID(id.client, id.clock - 1) : entry.origin
}

/** Whether the map entry `entry` holds the write `id` (one of the writes Yjs joined into it). */
export function holdsWrite(entry: Y.Item, id: Y.ID | null): boolean {
  return id !== null && id.client === entry.id.client && id.clock >= entry.id.clock && id.clock < entry.id.clock + entry.length
}

const idText = (id: Y.ID) => `${id.client}:${id.clock}`
