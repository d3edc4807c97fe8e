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
 * so each one a change leaves counts DEAD_ROOT_STRUCT_BYTES more.
 */
import type * as Y from 'yjs'
import { BYTES_PER_PIECE } from './check-cost.ts'
import { deadRootStructsMade } from './dead-root-structs.ts'
import type { Pieces } from './transaction-pieces.ts'

/**
 * What each deleted item a change leaves in a root type counts for: a
 * character deleted from the bottom line, apart from the deleted ones beside
 * it; a setting's value set again; an acknowledgement withdrawn; a card,
 * source, claim, document or link deleted. At 48 bytes (BYTES_PER_PIECE),
 * characters typed backwards into the bottom line and deleted left some
 * 349,000 such structs a person's hour (16 MiB), and three hours made a
 * board of the default limit full for good (red team 39a). At 1 KiB, some
 * 15,600 an hour: the 1 million structs a board at its limit counts (a load
 * of some 2.5 s) take some 67 person-hours. An analyst's busiest hour leaves
 * a few hundred (each run of backspaces in the bottom line is one, merged as
 * it is made; a settings save one a setting) and a cleanup of a thousand
 * entries a thousand: 1.4 MB, a tenth of the hour.
 */
export const DEAD_ROOT_STRUCT_BYTES = 1024

/** What `update`, made by `transaction`, which added and deleted `pieces` (piecesOf), counts against its person's hour. */
export function writtenCostInBytes(update: Uint8Array, transaction: Y.Transaction, pieces: Pieces): number {
  return Math.max(update.byteLength, (pieces.structs + pieces.ranges) * BYTES_PER_PIECE) + deadRootStructsMade(transaction) * DEAD_ROOT_STRUCT_BYTES
}
