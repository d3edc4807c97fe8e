/**
 * Which write a plain field's stored value is, and which write it replaced:
 * what tells a field whether a colleague's change was made over this
 * person's own (they saw it) or at the same time (both replaced the same
 * value, and the document keeps only one of the two).
 */
import type * as Y from 'yjs'

export type FieldWrite = { id: string; replaced: string | null }

/**
 * Read from the map's entry for the key: a map entry's origin is the entry it
 * was written over, as the writer's copy held it (how Yjs orders concurrent
 * writes of one key). Null when the key was never written.
 *
 * `_map` is Yjs's own (typed, not documented): no public API reaches a key's
 * entry, and the entry's origin is the only record of what its writer had
 * seen. A map's events give the old value, not which write it was (one
 * value may be written twice), and this client's own last write says
 * nothing of whether a colleague saw it. So it is read here, and
 * field-write.test.ts pins each behaviour relied on, so that a Yjs upgrade
 * changing one fails there.
 */
export function fieldWrite(map: Y.Map<unknown> | undefined, key: string): FieldWrite | null {
  const item = map?._map.get(key)
  if (!item) return null
  const origin = item.origin
  return { id: `${item.id.client}:${item.id.clock}`, replaced: origin ? `${origin.client}:${origin.clock}` : null }
}
