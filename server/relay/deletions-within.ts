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
 * `update` when its deleted ranges split at most `allowed` live items of `doc`
 * in all; else an update of every range that splits nothing and of those that
 * split some, in the order they come, while they fit `allowed`, or null when
 * none is left. A range beginning or ending inside a live item splits it, one
 * more struct each end and never folded away (full-board-splits.ts says how
 * many a full board may still take). Deleting an entry, a field or a whole
 * text splits nothing. Two ranges cutting at one clock are counted twice:
 * the count may only be more than Yjs makes.
 */
export function deletionsWithinSplits(update: Uint8Array, doc: Y.Doc, allowed: number): Uint8Array | null {
  const { ds } = Y.decodeUpdate(update)
  const kept: [number, Range[]][] = []
  let left = allowed
  let dropped = false
  for (const [client, ranges] of ds.clients) {
    const structs = doc.store.clients.get(client)
    const fitting: Range[] = []
    for (const { clock, len } of ranges) {
      const splits = structs === undefined ? 0 : Number(cutsLiveItem(structs, clock)) + Number(cutsLiveItem(structs, clock + len))
      if (splits > left) {
        dropped = true
        continue
      }
      left -= splits
      fitting.push([clock, len])
    }
    if (fitting.length > 0) kept.push([client, fitting])
  }
  if (!dropped) return update
  return kept.length === 0 ? null : deletionsUpdate(kept)
}

/** Whether a deleted range beginning or ending at `clock` splits a live item of `structs` there. */
function cutsLiveItem(structs: readonly (Y.Item | Y.GC)[], clock: number): boolean {
  const last = structs[structs.length - 1]
  if (last === undefined || clock >= last.id.clock + last.length) return false
  const struct = structs[Y.findIndexSS(structs as (Y.Item | Y.GC)[], clock)]
  return struct instanceof Y.Item && !struct.deleted && struct.id.clock < clock
}
