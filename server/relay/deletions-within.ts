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
