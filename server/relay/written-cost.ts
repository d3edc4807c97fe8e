/**
 * What a change a board took in counts against its person's hour of written
 * bytes (WRITTEN_BYTES_PER_HOUR_PER_PERSON): its bytes, or its new structs
 * and ranges of deletions at BYTES_PER_PIECE each when that is more, the
 * charge check-cost.ts makes for checking it. Each struct and range is a
 * struct the board then holds (a range splits the item it cuts), and loading
 * a board costs its structs (load-cost.ts): counted by bytes only, one frame
 * deleting every other character of 19 long judgments (190,000 ranges in
 * 760 KB) left 380,000 structs for its 760 KB, and three such made a board of
 * 3.4 MB that held the relay 12 to 18 s to load (red team 38a).
 */
import * as Y from 'yjs'
import { BYTES_PER_PIECE } from './check-cost.ts'

/** The structs `transaction` added and the ranges it deleted. */
function piecesOf(transaction: Y.Transaction): number {
  let pieces = 0
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0
    if (after <= before) continue
    const structs = transaction.doc.store.clients.get(client)
    if (structs) pieces += structs.length - Y.findIndexSS(structs, before)
  }
  for (const ranges of transaction.deleteSet.clients.values()) pieces += ranges.length
  return pieces
}

/** What `update`, made by `transaction`, counts against its person's hour. */
export function writtenCostInBytes(update: Uint8Array, transaction: Y.Transaction): number {
  return Math.max(update.byteLength, piecesOf(transaction) * BYTES_PER_PIECE)
}
