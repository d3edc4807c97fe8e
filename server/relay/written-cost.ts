/**
 * What a change a board took in counts against its person's hour of written
 * bytes (WRITTEN_BYTES_PER_HOUR_PER_PERSON): its bytes, or its new structs
 * and ranges of deletions at BYTES_PER_PIECE each when that is more, the
 * charge check-cost.ts makes for checking it. Each struct and range is a
 * struct the board then holds (a range splits the item it cuts), and loading
 * a board costs its structs (load-cost.ts): counted by bytes only, one frame
 * deleting every other character of 19 long judgments (190,000 ranges in
 * 760 KB) left 380,000 structs for its 760 KB, and three such made a board of
 * 3.4 MB that held the relay 12 to 18 s to load (red team 38a). A deleted
 * item a root type holds is a struct nothing ever frees (dead-root-structs.ts),
 * so each struct a change adds to a root type counts ROOT_STRUCT_BYTES more,
 * to the one who makes it (root-structs-made.ts).
 */
import type * as Y from 'yjs'
import { BYTES_PER_PIECE } from './check-cost.ts'
import { rootStructsMade } from './root-structs-made.ts'
import type { Pieces } from './transaction-pieces.ts'

/**
 * What each struct a change adds to a root type counts for, as it may be left
 * a deleted item for good: a run of characters typed into the bottom line
 * (each character typed backwards one, a run typed forwards one however
 * long), one cut in two by a deletion or an insertion inside it, a setting's
 * value, an acknowledgement, a card, source, claim, document or link. At 48
 * bytes (BYTES_PER_PIECE), characters typed backwards into the bottom line
 * and deleted left some 349,000 such structs a person's hour (16 MiB), and
 * three hours made a board of the default limit full for good (red team
 * 39a). At 1 KiB, some 15,600 an hour: the 1 million structs a board at its
 * limit counts (a load of some 2.5 s) take some 67 person-hours. It is charged
 * as they are made, never as they are deleted: charged to the deleter, a
 * colleague clearing 40,000 characters typed backwards paid 41 MB, 2.4 of her
 * hours (red team 40a). An analyst's busiest hour makes a few hundred (each
 * time they start typing somewhere in the bottom line one, a settings save
 * one a setting) and an import of a thousand entries a thousand: 1 MB, a
 * sixteenth of the hour; deleting whole entries or text makes none.
 */
export const ROOT_STRUCT_BYTES = 1024

/** What `update`, made by `transaction`, which added and deleted `pieces` (piecesOf), counts against its person's hour. */
export function writtenCostInBytes(update: Uint8Array, transaction: Y.Transaction, pieces: Pieces): number {
  return Math.max(update.byteLength, (pieces.structs + pieces.ranges) * BYTES_PER_PIECE) + rootStructsMade(transaction) * ROOT_STRUCT_BYTES
}
