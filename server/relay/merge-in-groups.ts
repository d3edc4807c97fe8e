/**
 * Many updates as one: a committed batch, for its broadcast and for the other
 * instances, and the keystrokes since a board's last encoding, for a fresh
 * client (whole-state.ts). Y.mergeUpdates sorts the readers of every update
 * it merges again for each struct it writes, so its cost grows with the
 * square of the updates merged: a batch of writers typing flat out holds
 * hundreds of one-character updates (about 800 in the comparison's
 * throughput run), and merging 800 cost 15 µs an update, 2,000 34 µs, against
 * 3 to 5 µs an update in groups. Merged a group at a time, then the groups'
 * results, the update holds the same content (a group's gaps in a client's
 * clocks are filled by the other groups' structs as the results are merged).
 */
import * as Y from 'yjs'

/** Up to this many updates are merged in one call: Y.mergeUpdates costs about as much an update from 10 to 64 of them. */
export const MERGE_GROUP = 64

export function mergeInGroups(updates: readonly Uint8Array[]): Uint8Array {
  let level = updates
  while (level.length > MERGE_GROUP) {
    const merged: Uint8Array[] = []
    for (let start = 0; start < level.length; start += MERGE_GROUP) merged.push(Y.mergeUpdates(level.slice(start, start + MERGE_GROUP)))
    level = merged
  }
  return level.length === 1 ? level[0]! : Y.mergeUpdates([...level])
}
