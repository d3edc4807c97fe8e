/**
 * The deletions an update makes of what a board already holds, as an update of
 * their own. A full board takes only deletions (board-size-limit.ts), and a
 * page's sync after time offline carries its additions and its deletions in
 * one update: dropping it whole would hold back the very deletions that make
 * room, so the room takes this part of it and drops the rest.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/** A client's deleted range: its first clock and its length. */
type Range = readonly [clock: number, length: number]

/**
 * Null when the update deletes nothing the doc holds. Deletions of content the
 * doc does not hold (made in the same update, or not yet arrived) are left
 * out: they could only wait, and the page sends them again with the rest.
 */
export function deletionsWithin(update: Uint8Array, doc: Y.Doc): Uint8Array | null {
  const { ds } = Y.decodeUpdate(update)
  if (ds.clients.size === 0) return null
  const kept: [number, Range[]][] = []
  for (const [client, ranges] of ds.clients) {
    const end = Y.getState(doc.store, client)
    const within = ranges.filter((range) => range.clock < end).map((range): Range => [range.clock, Math.min(range.len, end - range.clock)])
    if (within.length > 0) kept.push([client, within])
  }
  return kept.length === 0 ? null : deletionsUpdate(kept)
}

/** An update with no content and these deleted ranges, in Yjs's first encoding (the one y-websocket sends), written as given. */
export function deletionsUpdate(clients: readonly (readonly [client: number, ranges: readonly Range[]])[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, clients.length)
  for (const [client, ranges] of clients) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, ranges.length)
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(encoder, clock)
      encoding.writeVarUint(encoder, length)
    }
  }
  return encoding.toUint8Array(encoder)
}

/**
 * `update` when none of its deleted ranges cuts an item of `doc` that is not
 * deleted; else an update of only the ranges that cut none, or null when
 * none is left. A full board takes deletions to make room, but a range
 * beginning or ending inside a live item splits it, one more struct each time
 * and never folded away: one-character deletions inside long texts would make
 * a full board ever denser, and dearer to load (load-cost.ts). Deleting an
 * entry, a field or a whole text cuts nothing.
 */
export function deletionsCuttingNothing(update: Uint8Array, doc: Y.Doc): Uint8Array | null {
  const { ds } = Y.decodeUpdate(update)
  const kept: [number, Range[]][] = []
  let cut = false
  for (const [client, ranges] of ds.clients) {
    const structs = doc.store.clients.get(client)
    const whole = ranges.filter((range) => structs === undefined || !(cutsLiveItem(structs, range.clock) || cutsLiveItem(structs, range.clock + range.len)))
    cut ||= whole.length < ranges.length
    if (whole.length > 0) kept.push([client, whole.map((range): Range => [range.clock, range.len])])
  }
  if (!cut) return update
  return kept.length === 0 ? null : deletionsUpdate(kept)
}

/** Whether a deleted range beginning or ending at `clock` splits a live item of `structs` there. */
function cutsLiveItem(structs: readonly (Y.Item | Y.GC)[], clock: number): boolean {
  const last = structs[structs.length - 1]
  if (last === undefined || clock >= last.id.clock + last.length) return false
  const struct = structs[Y.findIndexSS(structs as (Y.Item | Y.GC)[], clock)]
  return struct instanceof Y.Item && !struct.deleted && struct.id.clock < clock
}
