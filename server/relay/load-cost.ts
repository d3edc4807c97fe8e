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

/** What loading a board of `storedBytes` into `doc` counts for against the cold-load budgets. */
export function loadCostInBytes(storedBytes: number, doc: Y.Doc): number {
  return Math.max(storedBytes, structsHeld(doc) * BYTES_PER_LOADED_STRUCT)
}
