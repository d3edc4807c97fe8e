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
 */
import * as Y from 'yjs'

/**
 * How fast one source's held bytes may be applied again: a few kilobytes held
 * by an honest client wait a few milliseconds between tries, a megabyte held
 * against someone else's typing eight seconds.
 */
const HELD_RETRY_BYTES_PER_SECOND = 128 * 1024

/** Client id → the clock the doc must hold (its state past it) before something held can apply. */
type Needs = Map<number, number>

type Held = {
  /** What is waiting, as one update (Yjs's v2 encoding, as Yjs keeps it). */
  update: Uint8Array
  /** Per client id in it, what the first of that client's held structs needs: once all of it is in the doc, that struct applies. */
  structs: Map<number, { clock: number; needs: Needs }>
  /** Per client id, the lowest clock of a held deletion: once the doc holds it, the deletion applies (in part). */
  deletions: Needs
}

export class HeldUpdates<Source> {
  private readonly held = new Map<Source, Held>()
  /** Per source, when (performance.now()) its held bytes may be applied again. */
  private readonly retryAfter = new Map<Source, number>()

  /** Moves whatever the last apply left pending out of `doc`, holding it for `source`; returns the bytes held for it. */
  takeFrom(doc: Y.Doc, source: Source): number {
    const { pendingStructs, pendingDs } = doc.store
    const previous = this.held.get(source)
    if (!pendingStructs && !pendingDs) return previous?.update.byteLength ?? 0
    doc.store.pendingStructs = null
    doc.store.pendingDs = null
    const parts = previous ? [previous.update] : []
    const structs = new Map(previous?.structs)
    const deletions = new Map(previous?.deletions)
    for (const part of [pendingStructs?.update, pendingDs]) {
      if (!part) continue
      parts.push(part)
      const decoded = Y.decodeUpdateV2(part)
      for (const [client, first] of firstStructs(decoded.structs)) {
        if (first.clock < (structs.get(client)?.clock ?? Number.POSITIVE_INFINITY)) structs.set(client, first)
      }
      for (const [client, ranges] of decoded.ds.clients) for (const { clock } of ranges) lowest(deletions, client, clock)
    }
    const update = parts.length === 1 ? parts[0]! : Y.mergeUpdatesV2(parts)
    this.held.set(source, { update, structs, deletions })
    return update.byteLength
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
      this.retryAfter.set(source, now + (held.update.byteLength / HELD_RETRY_BYTES_PER_SECOND) * 1000)
      ready.push([source, held.update])
    }
    return { ready, nextInMs }
  }

  drop(source: Source): void {
    this.held.delete(source)
    this.retryAfter.delete(source)
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

/** Whether `doc` now holds all that some held struct, or some held deletion, needs. */
function canApply(doc: Y.Doc, held: Held): boolean {
  const holds = (client: number, clock: number) => Y.getState(doc.store, client) > clock
  for (const { needs } of held.structs.values()) if ([...needs].every(([client, clock]) => holds(client, clock))) return true
  for (const [client, clock] of held.deletions) if (holds(client, clock)) return true
  return false
}

function highest(needs: Needs, client: number, clock: number): void {
  if (clock > (needs.get(client) ?? -1)) needs.set(client, clock)
}

function lowest(needs: Needs, client: number, clock: number): void {
  if (clock < (needs.get(client) ?? Number.POSITIVE_INFINITY)) needs.set(client, clock)
}
