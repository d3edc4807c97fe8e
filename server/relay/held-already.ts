/**
 * What the room's document holds already Yjs skips as it applies an update: a
 * client's full state sent again passes the relay's rules, as it changes
 * nothing. Only an item held whole is skipped: one that begins with held
 * units and goes on past them has Yjs apply the rest, beside the held part.
 */
import * as Y from 'yjs'

export function isHeldWhole(doc: Y.Doc, item: Y.Item): boolean {
  return item.id.clock + item.length <= Y.getState(doc.store, item.id.client)
}
