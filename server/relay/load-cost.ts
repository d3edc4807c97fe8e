/**
 * What loading a board costs the relay's thread, in stored bytes of an
 * ordinary board that cost as much. Yjs integrates each struct of the stored
 * state one by one, however few bytes it takes: a board whose every other
 * character was deleted holds a struct a character, and one of 3.4 MB (1.14
 * million structs) held the thread 12 to 18 s, against some 0.3 s for an
 * ordinary board of that size (red team 38a). So a load counts what it
 * stored, or its structs at BYTES_PER_LOADED_STRUCT each when that is more.
 */
import type * as Y from 'yjs'
import type { Pieces } from './transaction-pieces.ts'

/**
 * The stored bytes one struct of a loaded board counts for. Measured in CPU
 * time on the shared test machine, a load took 2.1 to 2.7 µs a struct of the
 * dense board (bench/dense-board-load.ts) and some 0.1 µs a stored byte of
 * the board of 1,000 assessments (bench/cold-load.ts): a struct costs what
 * some 23 stored bytes do, counted at 32 to keep a margin. The board of 1,000
 * assessments (85,000 structs, 3.8 MB) still counts its bytes, the dense
 * board of 3.4 MB 36.5 MB.
 */
export const BYTES_PER_LOADED_STRUCT = 32

/** The structs (items, collected structs, skips) a document holds: what loading it integrated. */
export function structsHeld(doc: Y.Doc): number {
  let structs = 0
  for (const clientStructs of doc.store.clients.values()) structs += clientStructs.length
  return structs
}

/**
 * The most structs a transaction that added and deleted `pieces` (piecesOf)
 * left the document holding beyond what it held before, without a walk over
 * its clients. Each struct it added may have split two others (an insert
 * between two characters of one item splits it at its origin, and another
 * at its right origin, when they are apart), and each range it deleted
 * splits at most the two items it begins and ends inside: deleting every
 * other character of a text of one item leaves two structs a range. Merges
 * at the transaction's end only lower the count.
 */
export function structsAddedAtMost(pieces: Pieces): number {
  return 3 * pieces.structs + 2 * pieces.ranges
}

/** What loading a board of `storedBytes`, whose document holds `structs`, counts for. */
export function loadCostOf(storedBytes: number, structs: number): number {
  return Math.max(storedBytes, structs * BYTES_PER_LOADED_STRUCT)
}

/** What loading a board of `storedBytes` into `doc` counts for against the cold-load budgets. */
export function loadCostInBytes(storedBytes: number, doc: Y.Doc): number {
  return loadCostOf(storedBytes, structsHeld(doc))
}
