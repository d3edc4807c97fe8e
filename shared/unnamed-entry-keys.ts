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
 * So are the entries of a collection that are shared types of another kind
 * than an entry's Y.Map (layout-types.ts), stored before the relay refused
 * them: a Y.XmlHook there passed for a card, its hook name a string of any
 * length, with no field that any reader shows. Three of 700 KB filled a board
 * of BOARD_MAX_BYTES 2,000,000 that nobody could empty from the app; the
 * server deletes them, and the board takes new cards again.
 *
 * A key this release's schemas do not name may be a field a later release
 * added: such a release raises SCHEMA_VERSION (board-doc.ts), so that this one
 * refuses the boards it loaded instead of deleting their new fields.
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS } from './board-doc.ts'
import type { ChangeOrigin } from './change-origin.ts'
import { ENTRY_KEYS } from './entry-keys.ts'
import { isPlainMap } from './layout-types.ts'

/** Each live entry holding keys its schema does not name, with those keys; and each key of a collection holding a shared type that is no entry's map. */
function unnamedKeys(doc: Y.Doc): { foreign: { holder: Y.Map<unknown>; key: string }[]; found: { entry: Y.Map<unknown>; keys: string[] }[] } {
  const foreign: { holder: Y.Map<unknown>; key: string }[] = []
  const found: { entry: Y.Map<unknown>; keys: string[] }[] = []
  for (const name of COLLECTIONS) {
    const named = ENTRY_KEYS.get(name)!
    const holder = collection(doc, name)
    for (const [id, item] of holder._map) {
      if (item.deleted || !(item.content instanceof Y.ContentType)) continue
      const entry = item.content.type
      if (!isPlainMap(entry)) {
        foreign.push({ holder, key: id })
        continue
      }
      const keys = [...entry._map].filter(([key, field]) => !field.deleted && !named.has(key)).map(([key]) => key)
      if (keys.length > 0) found.push({ entry, keys })
    }
  }
  return { foreign, found }
}

/**
 * Deletes every key an entry's schema does not name from every live entry,
 * and every entry of a collection that is a shared type other than a Y.Map,
 * in one transaction with `origin`; returns how many keys and entries it
 * deleted (none on a board without any, so running it again changes nothing).
 */
export function deleteUnnamedEntryKeys(doc: Y.Doc, origin?: ChangeOrigin): { keys: number; entries: number } {
  const { foreign, found } = unnamedKeys(doc)
  if (foreign.length === 0 && found.length === 0) return { keys: 0, entries: 0 }
  doc.transact(() => {
    for (const { holder, key } of foreign) holder.delete(key)
    for (const { entry, keys } of found) for (const key of keys) entry.delete(key)
  }, origin)
  return { keys: found.reduce((count, { keys }) => count + keys.length, 0), entries: foreign.length }
}
