/**
 * A board's shared texts hold plain text only: runs of characters, as the
 * browser's editor and the HTTP edits write them. Yjs lets a Y.Text hold more
 * (embeds, formatting marks, nested types, values, attributes under a key),
 * which nothing on a board can show: the editor's binding put "[object
 * Object]" into the field or threw, and positions counted by the text's
 * length no longer matched its string, so an edit by position changed the
 * wrong characters. The relay refuses such content (server/relay/text-content.ts);
 * these remove what a board stored before it did.
 */
import * as Y from 'yjs'
import { blufText } from './board-doc.ts'
import type { ChangeOrigin } from './change-origin.ts'

/** Whether an item of a text holds something other than characters, standing (not deleted). */
function isForeign(item: Y.Item): boolean {
  return !item.deleted && !(item.content instanceof Y.ContentString)
}

/** Whether the text holds anything but characters: an embed, a mark, a nested type, a value, an attribute. */
export function hasNonStringContent(text: Y.Text): boolean {
  for (let item = text._start; item !== null; item = item.right) if (isForeign(item)) return true
  for (const item of text._map.values()) if (!item.deleted) return true
  return false
}

/**
 * Deletes everything in the text but its characters, which keep their order
 * and their ids (others' cursors stay put). Runs in the caller's transaction,
 * or one of its own; returns how many items it deleted. A text not yet in a
 * document holds what its maker gave it, a string.
 */
export function dropNonStringContent(text: Y.Text): number {
  const doc = text.doc
  if (!doc || !hasNonStringContent(text)) return 0
  let dropped = 0
  doc.transact((transaction) => {
    for (let item = text._start; item !== null; item = item.right) {
      if (!isForeign(item)) continue
      item.delete(transaction)
      dropped++
    }
    for (const item of text._map.values()) {
      if (item.deleted) continue
      item.delete(transaction)
      dropped++
    }
  })
  return dropped
}

/**
 * Every shared text of the board: its root texts and those held in its maps
 * (an assessment's title and judgment), at any depth, walked by their items
 * without recursion: a freshly loaded document's roots are untyped until
 * someone asks for them by their kind. A text inside a text is not walked: it
 * goes with the content that holds it.
 */
export function sharedTexts(doc: Y.Doc): Y.Text[] {
  // Untyped, the bottom line's root would not say it is a text.
  blufText(doc)
  const texts: Y.Text[] = []
  const stack = [...doc.share.values()]
  while (stack.length > 0) {
    const type = stack.pop()!
    if (type instanceof Y.Text) {
      texts.push(type)
      continue
    }
    const visit = (item: Y.Item) => {
      if (!item.deleted && item.content instanceof Y.ContentType) stack.push(item.content.type)
    }
    for (const item of type._map.values()) visit(item)
    for (let item = type._start; item !== null; item = item.right) visit(item)
  }
  return texts
}

/** Whether the text lies within another shared text, at any depth: it goes with the content of that text that holds it. */
function withinText(text: Y.Text): boolean {
  for (let item = text._item; item !== null; item = (item.parent as Y.AbstractType<unknown>)._item) if (item.parent instanceof Y.Text) return true
  return false
}

/**
 * The shared texts of `sharedTexts(doc)` that hold anything but characters
 * (hasNonStringContent), found in one pass over the document's items rather
 * than a walk from its roots through every map: on the board of 1,000
 * assessments (85,245 items) 1 to 2 ms against 8 to 20, paid by every load
 * of a board (6 ms the first time in a process, before the engine optimises
 * it). A standing item's parents all stand (Yjs deletes what a deleted type
 * holds, and what lands in one), so every standing item of a text is one the
 * walk reaches, unless the text lies within another text.
 */
export function textsWithNonStringContent(doc: Y.Doc): Y.Text[] {
  // Untyped, the bottom line's root would not say it is a text.
  blufText(doc)
  const texts = new Set<Y.Text>()
  for (const structs of doc.store.clients.values()) {
    // Indexed, and a map's item let go on its parent's constructor before `instanceof` walks prototypes: a load runs
    // this once per board, often before the engine has optimised it, and nearly every item is a map's value.
    for (let i = 0; i < structs.length; i++) {
      const struct = structs[i]!
      if (!(struct instanceof Y.Item)) continue
      const parent = struct.parent
      if (parent === null || parent.constructor === Y.Map || !(parent instanceof Y.Text) || struct.deleted) continue
      // An item under a key is an attribute; one in the text's run is foreign unless it holds characters (isForeign).
      if (struct.parentSub !== null || !(struct.content instanceof Y.ContentString)) texts.add(parent)
    }
  }
  return [...texts].filter((text) => !withinText(text))
}

/** Deletes everything but characters from every shared text of the board, in one transaction; returns how many items it deleted. */
export function dropNonStringContentEverywhere(doc: Y.Doc, origin?: ChangeOrigin): number {
  const texts = textsWithNonStringContent(doc)
  if (texts.length === 0) return 0
  let dropped = 0
  doc.transact(() => {
    for (const text of texts) dropped += dropNonStringContent(text)
  }, origin)
  return dropped
}
