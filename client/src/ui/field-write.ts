/**
 * Which write a plain field's stored value is, and which write it replaced:
 * what tells a field whether a colleague's change was made over this
 * person's own (they saw it) or at the same time (both replaced the same
 * value, and the document keeps only one of the two).
 */
import type * as Y from 'yjs'

/** `client`: the Yjs client id of the page that wrote it (the presence id of that page, for its writer's name). */
export type FieldWrite = { id: string; client: number; replaced: string | null }

/**
 * Read from the map's entry for the key: a map entry's origin is the entry it
 * was written over, as the writer's copy held it (how Yjs orders concurrent
 * writes of one key). Null when the key was never written.
 */
export function fieldWrite(map: Y.Map<unknown> | undefined, key: string): FieldWrite | null {
  const item = map?._map.get(key)
  if (!item) return null
  const origin = item.origin
  return { id: `${item.id.client}:${item.id.clock}`, client: item.id.client, replaced: origin ? `${origin.client}:${origin.clock}` : null }
}
