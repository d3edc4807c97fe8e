/**
 * The shared types the board's layout (board-doc.ts) holds below its roots:
 * an entry's map, a Y.Map, and an assessment's title and judgment, each a
 * Y.Text. Yjs's XML types subclass these (Y.XmlHook a Y.Map, Y.XmlText a
 * Y.Text), so `instanceof` takes them for the layout's, yet they carry what
 * no rule of the board reads: a hook's name is a string of any length.
 */
import * as Y from 'yjs'

/** A Y.Map itself: an entry of a collection. */
export function isPlainMap(type: unknown): type is Y.Map<unknown> {
  return type instanceof Y.Map && type.constructor === Y.Map
}

/** A Y.Text itself: an assessment's title or judgment. */
export function isPlainText(type: unknown): type is Y.Text {
  return type instanceof Y.Text && type.constructor === Y.Text
}

/** One of the layout's shared types, and no subclass of it. */
export function isLayoutType(type: unknown): boolean {
  return isPlainMap(type) || isPlainText(type)
}
