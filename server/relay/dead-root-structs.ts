/**
 * Deleted items held in a board's root types: its bottom line (`bluf`, a root
 * Y.Text), its settings (`meta`), its acknowledgements and its collections'
 * maps. Yjs frees what a deleted type held, never the deleted item of a root
 * type itself: it stays a struct of its own, of some bytes, for good, and one
 * that cannot merge with its neighbours (characters typed backwards, then
 * deleted; a setting set again, its last value overwritten) stays one struct
 * each. No deletion, restore or compaction frees them (red team 39a), so the
 * size limit leaves them out of what makes a board full (board-size-limit.ts),
 * while what loading a board costs still counts them (load-cost.ts), and each
 * struct a change adds to a root type is charged dearly against its maker's
 * hour (root-structs-made.ts, written-cost.ts).
 */
import * as Y from 'yjs'
import { BYTES_PER_LOADED_STRUCT } from './load-cost.ts'

/** The deleted items of a board's root types, and the fewest bytes they take in its stored state. */
export type DeadRootStructs = { structs: number; bytes: number }

/**
 * Walks each root type's items (a text's or array's list, each map key's
 * values down to its first): as many steps as the root types hold items, so
 * it is run as a board is judged against its limit, never on each change.
 */
export function deadRootStructs(doc: Y.Doc): DeadRootStructs {
  const dead: DeadRootStructs = { structs: 0, bytes: 0 }
  for (const [name, type] of doc.share) {
    const count = (item: Y.Item): void => {
      if (!item.deleted) return
      dead.structs++
      dead.bytes += storedBytesAtLeast(item, name)
    }
    for (let item = type._start; item !== null; item = item.right) count(item)
    for (const last of type._map.values()) {
      for (let item: Y.Item | null = last; item !== null; item = item.left) count(item)
    }
  }
  return dead
}

/**
 * What the size limit counts a board for: what loading it costs
 * (loadCostOf, of the `structs` its document holds), less the deleted items of its root types, which no
 * deletion can free. A board is full only by what deleting can make room in.
 */
export function fullnessInBytes(storedBytes: number, structs: number, dead: DeadRootStructs): number {
  return Math.max(storedBytes - dead.bytes, (structs - dead.structs) * BYTES_PER_LOADED_STRUCT)
}

/**
 * The fewest bytes a deleted item of the root `rootName` takes in an update
 * (Yjs's first encoding): its kind, the ids it was inserted between (or,
 * with neither, its root's name and its key), its length. The range of
 * deletions that names it may take more: counting less lets less be left
 * out of the board's stored bytes, never more.
 */
function storedBytesAtLeast(item: Y.Item, rootName: string): number {
  const placed = item.origin === null && item.rightOrigin === null ? 1 + stringBytes(rootName) + (item.parentSub === null ? 0 : stringBytes(item.parentSub)) : idBytes(item.origin) + idBytes(item.rightOrigin)
  return 1 + placed + varUintBytes(item.length)
}

function idBytes(id: Y.ID | null): number {
  return id === null ? 0 : varUintBytes(id.client) + varUintBytes(id.clock)
}

/** The bytes lib0 writes `text` in: its UTF-8 length, then its bytes. */
function stringBytes(text: string): number {
  const bytes = Buffer.byteLength(text)
  return varUintBytes(bytes) + bytes
}

/** The bytes lib0 writes `value` in: seven bits a byte. */
function varUintBytes(value: number): number {
  let bytes = 1
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) bytes++
  return bytes
}
