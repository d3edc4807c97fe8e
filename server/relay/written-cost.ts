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
import { BYTES_PER_PIECE } from './check-cost.ts'
import type { Pieces } from './transaction-pieces.ts'

/** What `update`, whose transaction added and deleted `pieces` (piecesOf), counts against its person's hour. */
export function writtenCostInBytes(update: Uint8Array, pieces: Pieces): number {
  return Math.max(update.byteLength, (pieces.structs + pieces.ranges) * BYTES_PER_PIECE)
}
