/**
 * A board stored before the relay refused keys an entry's schema does not
 * name (server/relay/board-shape.ts) may hold them still: `colour` or a
 * megabyte under `zz` on a card. Nobody sees them (every reader leaves them
 * out), yet every member downloads them at every load, and an undo of the
 * entry's deletion set them again as new, which the relay refuses (4422).
 * The server deletes them from every live entry when it loads the board.
 *
 * A deletion makes no item of its own, so two instances loading the board at
 * once delete the very same items: the second deletion changes nothing on a
 * board that took the first (it is stored all the same, a second row of the
 * same author, in the same history session).
 *
 * A key this release's schemas do not name may be a field a later release
 * added: such a release raises SCHEMA_VERSION (board-doc.ts), so that this one
 * refuses the boards it loaded instead of deleting their new fields.
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS } from './board-doc.ts'
import type { ChangeOrigin } from './change-origin.ts'
import { ENTRY_KEYS } from './entry-keys.ts'

/** Each live entry holding keys its schema does not name, with those keys. */
function unnamedKeys(doc: Y.Doc): { entry: Y.Map<unknown>; keys: string[] }[] {
  const found: { entry: Y.Map<unknown>; keys: string[] }[] = []
  for (const name of COLLECTIONS) {
    const named = ENTRY_KEYS.get(name)!
    for (const item of collection(doc, name)._map.values()) {
      if (item.deleted || !(item.content instanceof Y.ContentType) || !(item.content.type instanceof Y.Map)) continue
      const entry = item.content.type as Y.Map<unknown>
      const keys = [...entry._map].filter(([key, field]) => !field.deleted && !named.has(key)).map(([key]) => key)
      if (keys.length > 0) found.push({ entry, keys })
    }
  }
  return found
}

/**
 * Deletes every key an entry's schema does not name from every live entry, in
 * one transaction with `origin`; returns how many it deleted (none on a board
 * without any, so running it again changes nothing).
 */
export function deleteUnnamedEntryKeys(doc: Y.Doc, origin?: ChangeOrigin): number {
  const found = unnamedKeys(doc)
  if (found.length === 0) return 0
  doc.transact(() => {
    for (const { entry, keys } of found) for (const key of keys) entry.delete(key)
  }, origin)
  return found.reduce((count, { keys }) => count + keys.length, 0)
}
