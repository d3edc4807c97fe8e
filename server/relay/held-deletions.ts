/**
 * The structs of the board an update's deletions cover, walked once an
 * update, as Yjs visits them to apply the deletions: what the rules that read
 * what an update deletes share (fixed-fields.ts, text-lengths.ts,
 * yardstick-record.ts, mark-joins.ts), and how many there are, which the
 * check's cost counts before the update is decoded (check-cost.ts).
 */
import * as Y from 'yjs'
import type { DeletedRange } from './inserted-values-scan.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** A live item of the board an update deletes units of: those from `from` on, `covered` of them. */
export type HeldDeletion = { item: Y.Item; from: number; covered: number }

/**
 * Each live item the board holds that a deleted range of `ds` covers, at
 * least in part, in the order of the ranges. validateUpdate lets through only
 * sorted, disjoint ranges: each struct is visited once, or once a range for
 * one that spans several; one deleted already is passed over without a
 * look-up of its own.
 */
export function heldDeletions(doc: Y.Doc, ds: DecodedUpdate['ds']): HeldDeletion[] {
  const deletions: HeldDeletion[] = []
  for (const [client, ranges] of ds.clients) {
    const stored = doc.store.clients.get(client)
    if (!stored) continue
    const known = Y.getState(doc.store, client)
    for (const { clock, len } of ranges) {
      if (clock >= known) continue
      const end = clock + len
      for (let index = Y.findIndexSS(stored, clock); index < stored.length && stored[index]!.id.clock < end; index++) {
        const struct = stored[index]!
        if (!(struct instanceof Y.Item) || struct.deleted) continue
        const from = Math.max(clock, struct.id.clock)
        deletions.push({ item: struct, from: from - struct.id.clock, covered: Math.min(end, struct.id.clock + struct.length) - from })
      }
    }
  }
  return deletions
}

/**
 * How many structs of the board `ranges` cover, found by two binary searches
 * a range: what walking them costs, however few bytes the ranges take (a
 * range of 9 bytes covered 150,000 deleted items).
 */
export function structsCovered(doc: Y.Doc, ranges: readonly DeletedRange[]): number {
  let covered = 0
  for (const { client, clock, len } of ranges) {
    const stored = doc.store.clients.get(client)
    const known = Y.getState(doc.store, client)
    if (!stored || clock >= known || len <= 0) continue
    covered += Y.findIndexSS(stored, Math.min(clock + len, known) - 1) - Y.findIndexSS(stored, clock) + 1
  }
  return covered
}
