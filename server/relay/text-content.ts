/**
 * A shared text holds characters only (shared/plain-text.ts says why). Yjs's
 * Y.Text also takes embeds (insertEmbed), formatting marks (format, insert
 * with attributes), nested types, and values or binaries written as no Yjs
 * client writes them into a text; a member's stock client can send any of
 * them. Exports then printed "[object Object]", the browser's field broke, and
 * an HTTP edit by position changed the wrong characters. The relay refuses an
 * update that puts anything but a run of characters into any Y.Text of the
 * board, or sets an attribute (a value under a key) on one.
 *
 * Whether an item's parent is a text: a type the update creates says so by
 * its kind (ContentType's type ref, which decoding turns into a Y.Text); one
 * the board holds, by the type the room's document made of it; a root type,
 * by the type the document gave its name, or the board's layout for the
 * bottom line, which the server may not have asked for by its kind yet.
 * Deleted content passes: a sync carries deleted items as such.
 */
import * as Y from 'yjs'
import { BLUF_ROOT } from '../../shared/board-doc.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, idKey, type Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** Why the update puts something other than characters into a shared text, or null. */
export function nonTextInText(doc: Y.Doc, { structs }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const createdTypes = new Map<string, Y.AbstractType<unknown>>()
  for (const struct of structs) {
    // A type the document holds already stays what it is, whatever an update sent again says it is.
    if (struct instanceof Y.Item && struct.content instanceof Y.ContentType && !isHeldWhole(doc, struct)) createdTypes.set(idKey(struct.id), struct.content.type)
  }
  const isText = (parent: Y.ID | string): boolean => {
    if (typeof parent === 'string') return parent === BLUF_ROOT || doc.share.get(parent) instanceof Y.Text
    const created = createdTypes.get(idKey(parent))
    if (created) return created instanceof Y.Text
    const stored = heldItem(doc, parent)
    return stored !== null && stored.content instanceof Y.ContentType && stored.content.type instanceof Y.Text
  }
  for (const { item, landing } of landings) {
    if (landing === null || item.content instanceof Y.ContentDeleted || isHeldWhole(doc, item) || !isText(landing.parent)) continue
    if (landing.key !== null) return `update sets ${landing.key} on a shared text, which holds characters only`
    if (!(item.content instanceof Y.ContentString)) return `update puts ${contentName(item.content)} into a shared text, which holds characters only`
  }
  return null
}

function contentName(content: Y.Item['content']): string {
  if (content instanceof Y.ContentEmbed) return 'an embed'
  if (content instanceof Y.ContentFormat) return `a formatting mark (${content.key})`
  if (content instanceof Y.ContentType) return 'a nested shared type'
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return 'a value'
  if (content instanceof Y.ContentBinary) return 'binary content'
  if (content instanceof Y.ContentDoc) return 'a subdocument'
  return `content of type ${content.constructor.name}`
}
