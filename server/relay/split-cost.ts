/**
 * What an update costs Yjs in splits, counted before it is applied. Yjs keeps
 * each client's structs in one array; a change that falls inside a struct (a
 * character typed into text another struct holds, part of one deleted) splits
 * it, and each split is a splice that moves every struct after it. So an
 * update costs its splits times the structs behind each: deleting every other
 * character of one judgment, 31 KB on the wire, held the relay's thread 1.3 s
 * where its writer had 85,000 structs behind it (as many as the board of
 * 1,000 assessments holds), a few bytes buying seconds. A typist's own
 * keystroke splits once or twice.
 *
 * Where each split falls is read off the decoded update: an item's left
 * neighbour ends a struct and its right neighbour starts one, whether deleted
 * or not; a deleted range starts and ends one unless what it covers was
 * deleted already. A split inside the update's own structs moves only those
 * of its client after it, as they are appended behind the doc's.
 */
import * as Y from 'yjs'
import { LIMITS } from '../../shared/limits.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** Whether a cut splits a deleted struct too (a neighbour) or only a live one (a deleted range). */
type Cut = 'any' | 'live'

/**
 * Structs moved that cost as much as one byte of an ordinary update: a struct
 * moved costs Yjs 1.4 to 1.9 ns (10,000 splits behind 20,000 to 300,000
 * structs), a byte of new cards and texts about 175 ns to apply.
 */
const STRUCTS_MOVED_PER_BYTE = 100

/**
 * What applying `decoded` to `doc` costs in splits, in the bytes of an
 * ordinary update that cost as much, so that it is counted against the bytes
 * a second its sender may send. Counting stops past the largest frame.
 */
export function splitCostInBytes(decoded: DecodedUpdate, doc: Y.Doc): number {
  return Math.ceil(structsMovedBySplits(decoded, doc, LIMITS.maxMessageBytes * STRUCTS_MOVED_PER_BYTE) / STRUCTS_MOVED_PER_BYTE)
}

/** The structs moved, in all, by the splits that applying `decoded` to `doc` makes; counting stops once past `atMost`. */
function structsMovedBySplits(decoded: DecodedUpdate, doc: Y.Doc, atMost: number): number {
  const cuts = new Map<number, Map<number, Cut>>()
  const cut = (client: number, clock: number, kind: Cut) => {
    let clientCuts = cuts.get(client)
    if (!clientCuts) cuts.set(client, (clientCuts = new Map()))
    if (clientCuts.get(clock) !== 'any') clientCuts.set(clock, kind)
  }
  const added = new Map<number, (Y.Item | Y.GC)[]>()
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue
    const { client, clock } = struct.id
    if (clock + struct.length <= Y.getState(doc.store, client)) continue
    let own = added.get(client)
    if (!own) added.set(client, (own = []))
    own.push(struct)
    if (!(struct instanceof Y.Item)) continue
    if (struct.origin) cut(struct.origin.client, struct.origin.clock + 1, 'any')
    if (struct.rightOrigin) cut(struct.rightOrigin.client, struct.rightOrigin.clock, 'any')
  }
  for (const [client, ranges] of decoded.ds.clients) {
    for (const { clock, len } of ranges) {
      cut(client, clock, 'live')
      cut(client, clock + len, 'live')
    }
  }
  let moved = 0
  for (const [client, clientCuts] of cuts) {
    const stored = doc.store.clients.get(client) ?? []
    const known = Y.getState(doc.store, client)
    const own = added.get(client) ?? []
    for (const [clock, kind] of clientCuts) {
      if (clock < known) {
        const index = Y.findIndexSS(stored, clock)
        if (splits(stored[index]!, clock, kind)) moved += stored.length - index + own.length
      } else {
        const index = structAt(own, clock)
        if (index !== null && splits(own[index]!, clock, kind)) moved += own.length - index
      }
      if (moved > atMost) return moved
    }
  }
  return moved
}

function splits(struct: Y.Item | Y.GC, clock: number, kind: Cut): boolean {
  return struct.id.clock < clock && struct instanceof Y.Item && (kind === 'any' || !struct.deleted)
}

/** The index of the struct of `structs` (sorted by clock, as an update lists them) that holds `clock`, or null when none does. */
function structAt(structs: readonly (Y.Item | Y.GC)[], clock: number): number | null {
  let low = 0
  let high = structs.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const struct = structs[middle]!
    if (clock < struct.id.clock) high = middle - 1
    else if (clock >= struct.id.clock + struct.length) low = middle + 1
    else return middle
  }
  return null
}
