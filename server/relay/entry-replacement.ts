/**
 * An entry of a collection (`claims`, `documents`, …) stays the map it came
 * on the board as, whatever a hostile client writes. A new value set under
 * the key of a live entry replaces the whole map, and Yjs deletes the old one
 * itself, so the update's deletions do not name it, and nothing lands in the
 * entry the board holds: the checks of what lands in an entry
 * (fixed-fields.ts, stamped-fields.ts) never saw it. An editor's stock
 * provider replaced an imported claim with other words under its provenance,
 * and another member's claim with one dated 2001 and no author. No client of
 * ours does it: the shared mutations put each new entry under a new id, and an
 * undo brings back a deleted entry under its key (its earlier value is
 * deleted by then, or by the same update), and the server's own changes
 * (restore) never pass here. Such an update is refused whole.
 */
import * as Y from 'yjs'
import { collection, COLLECTIONS, type Collection } from '../../shared/board-doc.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const COLLECTION_NAMES: ReadonlySet<string> = new Set(COLLECTIONS)

/** Why the update must not be applied to `doc`, or null when it replaces no live entry. */
export function liveEntryReplacement(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  for (const { item, landing } of landings) {
    // Only what lands on a collection itself: a keystroke lands in a text, and costs one comparison here.
    if (landing === null || typeof landing.parent !== 'string' || landing.key === null || !COLLECTION_NAMES.has(landing.parent)) continue
    // What the board holds already, Yjs skips; a deleted value under a live entry's key deletes the entry, as deleting it does.
    if (Y.getState(doc.store, item.id.client) > item.id.clock || item.content instanceof Y.ContentDeleted) continue
    const held = collection(doc, landing.parent as Collection)._map.get(landing.key)
    if (held && !held.deleted && !Y.isDeleted(ds, held.id)) return `update puts a new value under ${landing.parent} ${landing.key}, an entry the board holds`
  }
  return null
}
