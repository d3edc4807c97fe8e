/**
 * An assessment's title and judgment are shared texts, so that two people can
 * type in the same field at once. A board stored before the relay refused
 * anything else there (server/relay/board-shape.ts) may hold a string, a
 * number or some other value: the browser can only show such a field
 * read-only. These give each such field a shared text of its value.
 *
 * Several instances may load the same board at once and each give it the
 * texts. Two sets of one key of a Y.Map keep one value, so a field never ends
 * up with two texts; but a person could type into the text of the instance
 * that loses, and their typing would go with it. So every instance writes the
 * very same change: made under a client id worked out from the fields it
 * replaces, and in their order, its items carry the same ids wherever it is
 * made, and Yjs takes the second copy as one it holds already.
 */
import * as Y from 'yjs'
import { ASSESSMENT_TEXT_FIELDS, collection } from './board-doc.ts'
import type { ChangeOrigin } from './change-origin.ts'
import { isPlainMap, isPlainText } from './layout-types.ts'

type PlainField = { map: Y.Map<unknown>; key: string; item: Y.Item }

/** The text a field's stored value stands for: a string as it is, a number or a boolean as written, an XML text's characters, anything else as nothing. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Y.XmlText) return value.toDelta().map((op: { insert?: unknown }) => (typeof op.insert === 'string' ? op.insert : '')).join('')
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return ''
}

/** A Y.Text itself: a Y.XmlText (a subclass) stored before the relay refused it is replaced, as a plain value is. */
function isSharedText(item: Y.Item): boolean {
  return item.content instanceof Y.ContentType && isPlainText(item.content.type)
}

/** The assessments' title and judgment fields holding something other than a shared text, in the order of their items' ids. */
function plainTextFields(doc: Y.Doc): PlainField[] {
  const fields: PlainField[] = []
  for (const entry of collection(doc, 'assessments')._map.values()) {
    if (entry.deleted || !(entry.content instanceof Y.ContentType) || !isPlainMap(entry.content.type)) continue
    const map = entry.content.type
    for (const key of ASSESSMENT_TEXT_FIELDS) {
      const item = map._map.get(key)
      if (item && !item.deleted && !isSharedText(item)) fields.push({ map, key, item })
    }
  }
  return fields.sort((a, b) => a.item.id.client - b.item.id.client || a.item.id.clock - b.item.id.clock)
}

/** A client id (an unsigned 32-bit number, as Yjs draws them) that only these fields give: FNV-1a over their items' ids. */
function clientIdFor(fields: readonly PlainField[]): number {
  let hash = 0x811c9dc5
  for (const { item } of fields) {
    for (const char of `${item.id.client}:${item.id.clock};`) {
      hash ^= char.charCodeAt(0)
      hash = Math.imul(hash, 0x01000193) >>> 0
    }
  }
  return hash
}

/**
 * Gives every title or judgment stored as another value a shared text of it,
 * in one transaction with `origin`; returns how many fields it replaced (none
 * on a board that holds texts only, so running it again changes nothing).
 */
export function textFromPlainFields(doc: Y.Doc, origin?: ChangeOrigin): number {
  const fields = plainTextFields(doc)
  if (fields.length === 0) return 0
  const ownClientId = doc.clientID
  try {
    doc.transact(() => {
      // Yjs names the items a transaction makes after the doc's client id as it makes them.
      doc.clientID = clientIdFor(fields)
      for (const { map, key } of fields) map.set(key, new Y.Text(textOf(map.get(key))))
    }, origin)
  } finally {
    doc.clientID = ownClientId
  }
  return fields.length
}
