/**
 * A map's value is one unit, as Yjs's Y.Map.set writes it (one value, one
 * type, one binary, …). A run of several written as one value, such as a text
 * stored as an assessment's `kind`, can be cut in two by an item after its
 * first part: Yjs deletes that item as it lands (a map keeps only its last
 * value) and leaves the first part standing beside the value, not deleted;
 * deleting the map later made Yjs throw "Unexpected case" collecting it, in
 * the cleanup that ends its transaction, and the board was reset for everyone
 * (room.ts). No Yjs client writes such a value; the relay refuses it.
 *
 * Yjs merges a key's old values once they are deleted (consecutive items of
 * one client, each after the one before: Item.mergeWith), so an honest
 * client's sync may hold a run of several under a key: deleted content once
 * collected, or the values themselves with collection off. Yjs writes the
 * deletion of each with it (a sync carries all the sender's deletions, the
 * update of a transaction those it made), so a run that the same update
 * deletes whole passes.
 *
 * An item placed inside a map's value (its origin there) needs no rule of its
 * own: with every standing value one unit, it can only cut a run deleted
 * already or by its own update (whose deletions then cover both halves), and
 * Yjs deletes every item it lands under a key but the last, so nothing is left
 * standing beside the value. A board that holds a run stored before this check
 * can still be cut; its reset covers it.
 */
import * as Y from 'yjs'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>
type DeleteSet = DecodedUpdate['ds']

/** Why the update writes a map's value as Yjs never does, or null. */
export function multiUnitMapValue({ ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || item.length === 1 || deletesWhole(ds, item.id, item.length)) continue
    return `update writes ${item.length} units as one value of ${landing.key}, where Yjs writes one`
  }
  return null
}

/**
 * Whether `ds` deletes every clock from `id` on for `length`. Its ranges are
 * sorted, disjoint and never touch (validateUpdate lets through no others,
 * as Yjs merges ranges that touch), so only the last range that starts at or
 * before `clock` can hold the run.
 */
function deletesWhole(ds: DeleteSet, { client, clock }: Y.ID, length: number): boolean {
  const ranges = ds.clients.get(client) ?? []
  // The last range that starts at or before `clock` ends up at `high`.
  let [low, high] = [0, ranges.length - 1]
  while (low <= high) {
    const middle = (low + high) >>> 1
    if (ranges[middle]!.clock <= clock) low = middle + 1
    else high = middle - 1
  }
  const range = ranges[high]
  return range !== undefined && range.clock + range.len >= clock + length
}
