/**
 * Changes whose dependencies a board's document does not have yet.
 *
 * Yjs keeps such a remainder in `doc.store.pendingStructs` / `pendingDs` and
 * puts it into every sync reply it encodes, so a joiner would be shown content
 * that is neither integrated nor stored, and one client could make the doc
 * carry bytes that never resolve. The relay takes the remainder out of the doc
 * right after each apply and holds it per source (the connection that sent
 * it), under a cap; it is applied again once what it waits for has arrived,
 * and dropped with its connection (whose client still has it and sends it
 * again when it reconnects).
 *
 * Applying it again costs as much as its bytes, so what it waits for is read
 * from the held structs themselves: Yjs names only a client whose content is
 * missing, with that client's clock at the time, so that any progress of that
 * client (someone else typing) would apply a held megabyte again for nothing.
 * And since each struct held may wait for a later clock than the one before
 * it, a source's held bytes are applied again at most HELD_RETRY_BYTES_PER_SECOND.
 *
 * Held bytes are counted in Yjs's v1 encoding, the one the relay checks and
 * applies: Yjs keeps pending structs in v2, which writes a run of one-character
 * items placed against another client's clocks 17 times smaller, so a 1.2 MB
 * update that took a second to check each time was counted as 70 KB.
 *
 * A retry that leaves part of what it held still waiting is partial. An
 * honest client's held changes wait for content it had already received, and
 * apply whole once that arrives (at worst in a few parts, one for each source
 * of what they lack); held changes placed one by one against characters
 * someone has yet to type would have the relay check and apply them all again
 * for each character. So a partial retry that applied less than
 * HELD_RETRY_LEAST_SHARE of what it held, or the (HELD_PARTIAL_RETRIES + 1)th
 * partial retry in a row, stalls its source (`retried`).
 *
 * What a source holds is kept in parts, merged into one update only when it
 * may apply (`takeReady`, whose retry its sender pays for). Merged with all
 * that was held at each frame that left anything waiting, a source holding
 * 970 KB had each of its 30-byte frames merge the 970 KB again, 37 ms of the
 * relay's thread a frame that paid for 30 bytes: 900 such frames in 5 s, every
 * limit kept, froze it 35 to 46 s. A new part is merged only with the parts
 * no more than twice its size above it (`stack`), so that each part is more
 * than twice the next: a source holds a few dozen parts at most, and merging
 * costs a small multiple of the bytes its sender sent.
 */
import * as Y from 'yjs'

/**
 * How fast one source's held bytes may be applied again: a few kilobytes held
 * by an honest client wait a few milliseconds between tries, a megabyte held
 * against someone else's typing eight seconds.
 */
const HELD_RETRY_BYTES_PER_SECOND = 128 * 1024

/** A partial retry must apply at least this share of what it held. */
const HELD_RETRY_LEAST_SHARE = 1 / 4

/** Partial retries in a row a source may have; the next stalls it. */
const HELD_PARTIAL_RETRIES = 3

/**
 * Client ids one connection's held changes may name, in their structs and
 * deletions, before it is closed: each is read again after every update the
 * room applies (`canApply`). A client's held changes are under its own id, or
 * those of the page loads whose offline edits it sends (at most
 * NEW_CLIENTS_PER_UPDATE fresh ones an update); one frame a client id, 180 a
 * second, had the relay read 900 of them for every keystroke on the board.
 */
export const HELD_CLIENTS_MAX = 256

/** Client id → the clock the doc must hold (its state past it) before something held can apply. */
type Needs = Map<number, number>

type Held = {
  /** What is waiting, in Yjs's v1 encoding (the one the relay checks and applies), in parts each more than twice the size of the next (`stack`). */
  parts: Uint8Array[]
  /** The parts' bytes in all. */
  bytes: number
  /** Per client id in it, what the first of that client's held structs needs: once all of it is in the doc, that struct applies. */
  structs: Map<number, { clock: number; needs: Needs }>
  /** Per client id, the lowest clock of a held deletion: once the doc holds it, the deletion applies (in part). */
  deletions: Needs
}

export class HeldUpdates<Source> {
  private readonly held = new Map<Source, Held>()
  /** Merges held parts into one update, telling `onMerged` the bytes merged (what merging costs). */
  private readonly merge: (parts: Uint8Array[]) => Uint8Array

  /** `onMerged`: the bytes of the parts each merge of held changes read (the metrics' assay_held_update_merged_bytes_total). */
  constructor(onMerged: (bytes: number) => void = () => {}) {
    this.merge = (parts) => {
      onMerged(parts.reduce((bytes, part) => bytes + part.byteLength, 0))
      return Y.mergeUpdates(parts)
    }
  }
  /** Per source, when (performance.now()) its held bytes may be applied again. */
  private readonly retryAfter = new Map<Source, number>()
  /** Per source, its partial retries in a row. */
  private readonly partialRetries = new Map<Source, number>()

  /** Moves whatever the last apply left pending out of `doc`, holding it for `source` beside what it held; returns the bytes (v1) held for it. */
  takeFrom(doc: Y.Doc, source: Source): number {
    const { pendingStructs, pendingDs } = doc.store
    const previous = this.held.get(source)
    if (!pendingStructs && !pendingDs) return previous?.bytes ?? 0
    doc.store.pendingStructs = null
    doc.store.pendingDs = null
    const held = previous ?? { parts: [], bytes: 0, structs: new Map(), deletions: new Map() }
    for (const pending of [pendingStructs?.update, pendingDs]) {
      if (!pending) continue
      const part = Y.convertUpdateFormatV2ToV1(pending)
      const decoded = Y.decodeUpdate(part)
      for (const [client, first] of firstStructs(decoded.structs)) {
        if (first.clock < (held.structs.get(client)?.clock ?? Number.POSITIVE_INFINITY)) held.structs.set(client, first)
      }
      for (const [client, ranges] of decoded.ds.clients) for (const { clock } of ranges) lowest(held.deletions, client, clock)
      held.bytes = stack(held.parts, part, this.merge)
    }
    this.held.set(source, held)
    return held.bytes
  }

  /** The client ids whose structs or deletions `source` holds: what each retry reads (`canApply`) after every update applied. */
  clientsHeld(source: Source): number {
    const held = this.held.get(source)
    return held ? held.structs.size + held.deletions.size : 0
  }

  /**
   * Takes out the held changes that may apply at `now` (performance.now()), by
   * source, and says in how many milliseconds the next of those that could
   * apply but wait their turn may be taken (null: none waits so). A source
   * taken is not taken again at the same `now`.
   */
  takeReady(doc: Y.Doc, now: number): { ready: [Source, Uint8Array][]; nextInMs: number | null } {
    const ready: [Source, Uint8Array][] = []
    let nextInMs: number | null = null
    for (const [source, held] of this.held) {
      if (!canApply(doc, held)) continue
      const waitMs = (this.retryAfter.get(source) ?? now) - now
      if (waitMs > 0) {
        nextInMs = Math.min(nextInMs ?? waitMs, waitMs)
        continue
      }
      this.held.delete(source)
      const update = held.parts.length === 1 ? held.parts[0]! : this.merge(held.parts)
      this.retryAfter.set(source, now + (update.byteLength / HELD_RETRY_BYTES_PER_SECOND) * 1000)
      ready.push([source, update])
    }
    return { ready, nextInMs }
  }

  /**
   * Holds what a retry of `tried` bytes held for `source` left pending in
   * `doc` (takeFrom), and says whether that retry stalls the source: it was
   * partial and applied too little, or one partial retry too many in a row.
   */
  retried(doc: Y.Doc, source: Source, tried: number): { heldBytes: number; stalled: boolean } {
    const heldBytes = this.takeFrom(doc, source)
    if (heldBytes === 0) {
      this.partialRetries.delete(source)
      return { heldBytes, stalled: false }
    }
    const partial = (this.partialRetries.get(source) ?? 0) + 1
    this.partialRetries.set(source, partial)
    const applied = Math.max(0, tried - heldBytes)
    return { heldBytes, stalled: applied < tried * HELD_RETRY_LEAST_SHARE || partial > HELD_PARTIAL_RETRIES }
  }

  drop(source: Source): void {
    this.held.delete(source)
    this.retryAfter.delete(source)
    this.partialRetries.delete(source)
  }

  get size(): number {
    return this.held.size
  }
}

/**
 * For each client id, the first of its structs and what that one needs: the
 * client's previous clock, and the items it is placed against (origin, right
 * origin) or in (parent), as Yjs checks them before integrating it.
 */
function firstStructs(structs: (Y.Item | Y.GC | Y.Skip)[]): Map<number, { clock: number; needs: Needs }> {
  const firsts = new Map<number, { clock: number; needs: Needs }>()
  for (const struct of structs) {
    const { client, clock } = struct.id
    if (struct instanceof Y.Skip || firsts.has(client)) continue
    const needs: Needs = new Map()
    if (clock > 0) needs.set(client, clock - 1)
    if (struct instanceof Y.Item) {
      for (const id of [struct.origin, struct.rightOrigin, struct.parent instanceof Y.ID ? struct.parent : null]) {
        if (id && id.client !== client) highest(needs, id.client, id.clock)
      }
    }
    firsts.set(client, { clock, needs })
  }
  return firsts
}

/**
 * Pushes `part` onto `parts`, merged first with each part above that is no
 * more than twice its size (what it is merged into, at least), so that each
 * part stays more than twice the size of the next; returns their bytes in all.
 */
function stack(parts: Uint8Array[], part: Uint8Array, merge: (parts: Uint8Array[]) => Uint8Array): number {
  let top = part
  for (let below = parts.at(-1); below !== undefined && below.byteLength <= 2 * top.byteLength; below = parts.at(-1)) {
    parts.pop()
    top = merge([below, top])
  }
  parts.push(top)
  return parts.reduce((bytes, held) => bytes + held.byteLength, 0)
}

/** Whether `doc` now holds all that some held struct, or some held deletion, needs. */
function canApply(doc: Y.Doc, held: Held): boolean {
  const holds = (client: number, clock: number) => Y.getState(doc.store, client) > clock
  for (const { needs } of held.structs.values()) if (holdsAll(needs, holds)) return true
  for (const [client, clock] of held.deletions) if (holds(client, clock)) return true
  return false
}

function holdsAll(needs: Needs, holds: (client: number, clock: number) => boolean): boolean {
  for (const [client, clock] of needs) if (!holds(client, clock)) return false
  return true
}

function highest(needs: Needs, client: number, clock: number): void {
  if (clock > (needs.get(client) ?? -1)) needs.set(client, clock)
}

function lowest(needs: Needs, client: number, clock: number): void {
  if (clock < (needs.get(client) ?? Number.POSITIVE_INFINITY)) needs.set(client, clock)
}
