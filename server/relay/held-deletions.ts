/**
 * The structs of the board an update's deletions cover, each visited once, as
 * Yjs visits them to apply the deletions: what the rules that read what an
 * update deletes walk (fixed-fields.ts, text-lengths.ts, yardstick-record.ts).
 */
import * as Y from 'yjs'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * Each struct the board holds that a deleted range of `ds` covers, at least in
 * part, with how many of its units it covers. validateUpdate lets through only
 * sorted, disjoint ranges: each struct is visited once, or once a range for
 * one that spans several.
 */
export function* heldStructsDeleted(doc: Y.Doc, ds: DecodedUpdate['ds']): Generator<{ struct: Y.Item | Y.GC; covered: number }> {
  for (const [client, ranges] of ds.clients) {
    const stored = doc.store.clients.get(client)
    if (!stored) continue
    const known = Y.getState(doc.store, client)
    for (const { clock, len } of ranges) {
      if (clock >= known) continue
      const end = clock + len
      for (let index = Y.findIndexSS(stored, clock); index < stored.length && stored[index]!.id.clock < end; index++) {
        const struct = stored[index]!
        yield { struct, covered: Math.min(end, struct.id.clock + struct.length) - Math.max(clock, struct.id.clock) }
      }
    }
  }
}

/** The live items of the board that `ds` covers, for the rules that read what an update deletes from entries (fixed-fields.ts, yardstick-record.ts). */
export function* deletedHeldItems(doc: Y.Doc, ds: DecodedUpdate['ds']): Generator<Y.Item> {
  for (const { struct } of heldStructsDeleted(doc, ds)) {
    if (struct instanceof Y.Item && !struct.deleted) yield struct
  }
}
