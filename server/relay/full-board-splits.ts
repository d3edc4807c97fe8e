/**
 * How many items a full board may still have split by the deletions it takes.
 * A full board takes only deletions (board-size-limit.ts), and a deletion
 * beginning or ending inside a run of characters splits it: one more struct
 * each end, which loading the board integrates one by one (load-cost.ts) and
 * no compaction folds away. Taking none left an analyst unable to trim a
 * word or part of a sentence to make room; taking all let one member make a
 * full board ever denser, a character at a time.
 *
 * So splits are taken while the structs the board's document holds stay
 * within FULL_BOARD_SPLIT_HEADROOM above the limit, counted as load-cost.ts
 * counts them: a hard ceiling on what splitting can make a board cost to
 * load, whoever splits and for however long. A count per person or per
 * recheck period would not be one: it grows with the members and the hours.
 * What a hostile member can do is spend the headroom; splitting deletions are
 * then dropped as before, and deleting whole cards, fields or texts (which
 * splits nothing, and merges the deleted runs' structs) still makes room.
 * On several instances each judges its own document: splits taken at the
 * same moment on two of them may both spend what was left, so the board may
 * pass the ceiling by the headroom once more an instance, no further.
 */
import type * as Y from 'yjs'
import { deletionsWithinSplits } from './deletions-within.ts'
import { BYTES_PER_LOADED_STRUCT, structsHeld } from './load-cost.ts'

/**
 * The share above its limit a full board's structs may reach through splits:
 * at the default 32 MiB the 5% alone is 1.6 MiB of load measure, some 52,000
 * structs, at least 26,000 deletions inside words on a board full by its
 * bytes whose structs count for less than the limit (more, the fewer they
 * are); a board full by its structs (made dense) has less or none left.
 */
export const FULL_BOARD_SPLIT_HEADROOM = 0.05

/** The splits a full board of `limit` may still take: its ceiling's structs less those `doc` holds, none once it is past. */
function splitsAllowed(doc: Y.Doc, limit: number): number {
  const ceiling = Math.floor((limit * (1 + FULL_BOARD_SPLIT_HEADROOM)) / BYTES_PER_LOADED_STRUCT)
  return Math.max(0, ceiling - structsHeld(doc))
}

/**
 * What a full board of `limit` takes of `deletions` (an update that adds
 * nothing): the ranges that split nothing, and those that split items while
 * its headroom lasts (deletionsWithinSplits). The one rule for a member's
 * update as it arrives, their held changes tried again (update-intake.ts) and
 * an HTTP change held while storage was away, replayed (held-change-replay.ts).
 */
export function deletionsTaken(deletions: Uint8Array, doc: Y.Doc, limit: number): Uint8Array | null {
  return deletionsWithinSplits(deletions, doc, splitsAllowed(doc, limit))
}
