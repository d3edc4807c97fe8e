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
 */
import * as Y from 'yjs'

type Held = {
  /** What is waiting, as one update (Yjs's v2 encoding, as Yjs keeps it). */
  update: Uint8Array
  /** Per client id, the lowest clock it waits for: it may apply once the doc has moved past one of them. */
  waitsFor: Map<number, number>
}

export class HeldUpdates<Source> {
  private readonly held = new Map<Source, Held>()

  /** Moves whatever the last apply left pending out of `doc`, holding it for `source`; returns the bytes held for it. */
  takeFrom(doc: Y.Doc, source: Source): number {
    const { pendingStructs, pendingDs } = doc.store
    const previous = this.held.get(source)
    if (!pendingStructs && !pendingDs) return previous?.update.byteLength ?? 0
    doc.store.pendingStructs = null
    doc.store.pendingDs = null
    const parts = previous ? [previous.update] : []
    const waitsFor = new Map(previous?.waitsFor)
    const wait = (client: number, clock: number) => {
      if (clock < (waitsFor.get(client) ?? Number.POSITIVE_INFINITY)) waitsFor.set(client, clock)
    }
    if (pendingStructs) {
      parts.push(pendingStructs.update)
      for (const [client, clock] of pendingStructs.missing) wait(client, clock)
    }
    if (pendingDs) {
      parts.push(pendingDs)
      for (const [client, deletions] of Y.decodeUpdateV2(pendingDs).ds.clients) for (const { clock } of deletions) wait(client, clock)
    }
    const update = parts.length === 1 ? parts[0]! : Y.mergeUpdatesV2(parts)
    this.held.set(source, { update, waitsFor })
    return update.byteLength
  }

  /** Takes out the held changes that may apply now, by source. */
  takeReady(doc: Y.Doc): [Source, Uint8Array][] {
    const ready: [Source, Uint8Array][] = []
    for (const [source, held] of this.held) {
      if (![...held.waitsFor].some(([client, clock]) => Y.getState(doc.store, client) > clock)) continue
      this.held.delete(source)
      ready.push([source, held.update])
    }
    return ready
  }

  drop(source: Source): void {
    this.held.delete(source)
  }

  get size(): number {
    return this.held.size
  }
}
