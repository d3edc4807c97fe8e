/**
 * The live items of the board that an update's deletions cover, for the rules
 * that read what an update deletes (fixed-fields.ts, yardstick-record.ts).
 * validateUpdate lets through only sorted, disjoint ranges: each struct is
 * visited once, or once a range for one that spans several.
 */
import * as Y from 'yjs'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

export function* deletedHeldItems(doc: Y.Doc, ds: DecodedUpdate['ds']): Generator<Y.Item> {
  for (const [client, ranges] of ds.clients) {
    const stored = doc.store.clients.get(client)
    if (!stored) continue
    const known = Y.getState(doc.store, client)
    for (const { clock, len } of ranges) {
      if (clock >= known) continue
      for (let index = Y.findIndexSS(stored, clock); index < stored.length; index++) {
        const item = stored[index]!
        if (item.id.clock >= clock + len) break
        if (item instanceof Y.Item && !item.deleted) yield item
      }
    }
  }
}
