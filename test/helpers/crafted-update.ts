/**
 * Yjs items written byte by byte (update format V1), as no Yjs client
 * writes them: to attack the relay with what a hostile client can send.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { blufText } from '../../shared/board-doc.ts'

/** Where the item goes: a root type by name (and a key in it), a type by the id of the item that holds it, or beside an existing item, which names neither. */
export type CraftedPlace = { root: string; key?: string } | { parent: Y.ID } | { after: Y.ID }

/** What the item holds: JSON as Yjs's ContentJSON, an embed or a format mark (text), a value (ContentAny), a run of text (one item for all its characters), a deleted run, or a new Y.Map. */
export type CraftedContent =
  | { json: string }
  | { embed: string }
  | { format: [key: string, json: string] }
  | { any: string | number }
  | { string: string }
  | { deleted: number }
  | { map: true }

export type CraftedItem = { place: CraftedPlace; content: CraftedContent }

const CONTENT_REF = { deleted: 1, json: 2, string: 4, embed: 5, format: 6, map: 7, any: 8 } as const
/** Yjs's type ref of a Y.Map in a ContentType. */
const Y_MAP_REF = 1
const HAS_ORIGIN = 0x80
const HAS_PARENT_SUB = 0x20

export function craftedItem(id: { client: number; clock: number }, place: CraftedPlace, content: CraftedContent): Uint8Array {
  return craftedItems(id, [{ place, content }])
}

/** Items of one client, the first at `first` and each next one at the clock after the last one's content. */
export function craftedItems(first: { client: number; clock: number }, items: readonly CraftedItem[]): Uint8Array {
  return craftedRuns([{ first, items }])
}

/** Runs of items in one update, each written as its client's structs from `first`: a client may be given more than one run, as no Yjs encoder writes. */
export function craftedRuns(runs: readonly { first: { client: number; clock: number }; items: readonly CraftedItem[] }[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, runs.length)
  for (const { first, items } of runs) {
    encoding.writeVarUint(encoder, items.length)
    encoding.writeVarUint(encoder, first.client)
    encoding.writeVarUint(encoder, first.clock)
    for (const { place, content } of items) writeItem(encoder, place, content)
  }
  // No deletions.
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/** A collected struct (GC) of `length` clocks at `id`, as a client writes what it collected: a struct with no content and no place. */
export function craftedCollected(id: { client: number; clock: number }, length: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, id.client)
  encoding.writeVarUint(encoder, id.clock)
  // Struct ref 0: a GC, then its length.
  encoding.writeUint8(encoder, 0)
  encoding.writeVarUint(encoder, length)
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/** `count` collected structs (GC) of one unit each from `client`'s clock `from`, 2 bytes apiece: what no Yjs encoder writes unmerged, but Yjs takes. */
export function craftedCollectedRun(client: number, count: number, from = 0): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const uint of [1, count, client, from]) encoding.writeVarUint(encoder, uint)
  for (let i = 0; i < count; i++) {
    encoding.writeUint8(encoder, 0) // a GC struct
    encoding.writeVarUint(encoder, 1)
  }
  encoding.writeVarUint(encoder, 0) // no deletions
  return encoding.toUint8Array(encoder)
}

function writeItem(encoder: encoding.Encoder, place: CraftedPlace, content: CraftedContent): void {
  const kind = Object.keys(content)[0] as keyof typeof CONTENT_REF
  if ('after' in place) {
    encoding.writeUint8(encoder, HAS_ORIGIN | CONTENT_REF[kind])
    encoding.writeVarUint(encoder, place.after.client)
    encoding.writeVarUint(encoder, place.after.clock)
  } else if ('parent' in place) {
    encoding.writeUint8(encoder, CONTENT_REF[kind])
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarUint(encoder, place.parent.client)
    encoding.writeVarUint(encoder, place.parent.clock)
  } else {
    encoding.writeUint8(encoder, (place.key === undefined ? 0 : HAS_PARENT_SUB) | CONTENT_REF[kind])
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarString(encoder, place.root)
    if (place.key !== undefined) encoding.writeVarString(encoder, place.key)
  }
  if ('json' in content) {
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarString(encoder, content.json)
  } else if ('embed' in content) {
    encoding.writeVarString(encoder, content.embed)
  } else if ('format' in content) {
    encoding.writeVarString(encoder, content.format[0])
    encoding.writeVarString(encoder, content.format[1])
  } else if ('any' in content) {
    encoding.writeVarUint(encoder, 1)
    encoding.writeAny(encoder, content.any)
  } else if ('string' in content) {
    encoding.writeVarString(encoder, content.string)
  } else if ('map' in content) {
    encoding.writeVarUint(encoder, Y_MAP_REF)
  } else {
    encoding.writeVarUint(encoder, content.deleted)
  }
}

/**
 * `count` one-character items of client `client + 1`, each placed after a
 * character client `client` has yet to type, from its clock `from` on: held
 * until that client types, then tried again at its first character, when one
 * of them applies.
 */
export function heldOnFutureCharacters(client: number, from: number, count: number): Uint8Array {
  const forger = new Y.Doc()
  const text = blufText(forger)
  forger.clientID = client
  text.insert(0, 'x'.repeat(from))
  for (let i = 0; i < count; i++) {
    forger.clientID = client
    text.insert(text.length, 'a')
    forger.clientID = client + 1
    text.insert(text.length, '#')
  }
  // Only the forged client's items: the state vector says the typist's are held already.
  const update = Y.encodeStateAsUpdate(forger, Y.encodeStateVector(new Map([[client, from + count]])))
  forger.destroy()
  return update
}

/** A delete set alone, no structs: `client`'s ranges as given, each written as it is (Yjs joins adjacent ones; a hostile client need not). */
export function craftedDeletions(client: number, ranges: readonly { clock: number; len: number }[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, ranges.length)
  for (const { clock, len } of ranges) {
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarUint(encoder, len)
  }
  return encoding.toUint8Array(encoder)
}
