/**
 * The keys an entry of each collection may hold: its schema's fields and, for
 * a document, its body, which the model leaves out (board-convert.ts). Every
 * reader leaves any other key out; the relay refuses one being set
 * (server/relay/board-shape.ts), the server deletes those a board stored
 * before that rule holds when it loads the board (server/relay/load-repair.ts), and
 * the browser's undo never sets one again (board-undo.ts).
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS, type Collection } from './board-doc.ts'
import { ENTITY_SCHEMAS } from './board-model.ts'
import { DOCUMENT_FIXED_FIELDS } from './board-mutations.ts'

export const ENTRY_KEYS: ReadonlyMap<Collection, ReadonlySet<string>> = new Map(
  COLLECTIONS.map((name) => [name, new Set([...Object.keys(ENTITY_SCHEMAS[name].shape), ...(name === 'documents' ? DOCUMENT_FIXED_FIELDS : [])])]),
)

/** The collection whose entry's map is `map`, or null for any other map. */
export function collectionOfEntry(doc: Y.Doc, map: Y.AbstractType<unknown>): Collection | null {
  const parent = map._item?.parent
  if (!(map instanceof Y.Map) || !parent) return null
  return COLLECTIONS.find((name) => collection(doc, name) === parent) ?? null
}

/** Whether `item` stands under a key of an entry's map that the entry's schema does not name. */
export function isUnnamedEntryKey(doc: Y.Doc, item: Y.Item): boolean {
  if (item.parentSub === null || !(item.parent instanceof Y.AbstractType)) return false
  const name = collectionOfEntry(doc, item.parent)
  return name !== null && !ENTRY_KEYS.get(name)!.has(item.parentSub)
}
