/**
 * Whether the server has stored everything this browser holds: the truth
 * behind the "saved" badge.
 *
 * The server broadcasts an update, echo to its sender included, only after it
 * is committed to its log; its sync step 2 (the answer to a client's step 1) is
 * held until everything the room had applied is committed. So every sync frame
 * the server sends says "this much is stored". The tracker keeps a model of
 * what the server has confirmed: a clock per client (structs are numbered per
 * client, and a client's structs reach the server in order), taken from the
 * server's step 1 once its step 2 arrives, from what applying a frame added to
 * the document, and from the ranges an update frame carries (an echo of this
 * browser's own change adds nothing to it); and the deletions it has sent. The
 * browser's state is saved when its state vector is within the confirmed
 * clocks and every deletion made here (or loaded from the offline copy) is
 * among the confirmed deletions.
 *
 * It reads the frames the provider has already handled; the provider itself
 * is used unchanged.
 */
import * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { MESSAGE_SYNC } from '../../../shared/protocol.ts'

const SYNC_STEP_1 = 0
const SYNC_STEP_2 = 1
const SYNC_UPDATE = 2

type Range = { clock: number; len: number; client: number }

/** Deleted ranges per client, kept sorted and merged. */
class DeletedRanges {
  readonly #byClient = new Map<number, { start: number; end: number }[]>()

  addAll(ranges: readonly Range[]): void {
    const touched = new Set<number>()
    for (const { client, clock, len } of ranges) {
      const list = this.#byClient.get(client) ?? []
      list.push({ start: clock, end: clock + len })
      this.#byClient.set(client, list)
      touched.add(client)
    }
    for (const client of touched) {
      const sorted = this.#byClient.get(client)!.sort((a, b) => a.start - b.start)
      const merged: { start: number; end: number }[] = []
      for (const range of sorted) {
        const last = merged.at(-1)
        if (last && range.start <= last.end) last.end = Math.max(last.end, range.end)
        else merged.push({ ...range })
      }
      this.#byClient.set(client, merged)
    }
  }

  covers({ client, clock, len }: Range): boolean {
    const ranges = this.#byClient.get(client)
    if (!ranges) return false
    let low = 0
    let high = ranges.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const range = ranges[mid]!
      if (clock < range.start) high = mid - 1
      else if (clock >= range.end) low = mid + 1
      else return clock + len <= range.end
    }
    return false
  }
}

function deletions(update: Uint8Array): Range[] {
  return rangesOf(Y.decodeUpdate(update).ds)
}

function rangesOf(ds: ReturnType<typeof Y.snapshot>['ds']): Range[] {
  const ranges: Range[] = []
  for (const [client, items] of ds.clients) {
    for (const item of items) ranges.push({ client, clock: item.clock, len: item.len })
  }
  return ranges
}

/**
 * Past this size an update is read through the document rather than decoded:
 * decoding a whole board's update (the offline copy loading) costs far more
 * than listing the document's deletions.
 */
const LARGE_UPDATE_BYTES = 64 * 1024

/** What one transaction of the provider added: structs that came from the server. */
export type Integrated = { before: Map<number, number>; after: Map<number, number> }

export class SaveTracker {
  readonly #doc: Y.Doc
  readonly #confirmed = new Map<number, number>()
  readonly #confirmedDeletes = new DeletedRanges()
  /** The server's state vector from its step 1, confirmed once its step 2 (held until committed) arrives. */
  #offered: Map<number, number> | null = null
  #neededDeletes: Range[] = []

  constructor(doc: Y.Doc) {
    this.#doc = doc
  }

  /** A change to the document that did not come from the server: an edit here, or the offline copy loading. */
  noteLocal(update: Uint8Array): void {
    const ranges = update.byteLength > LARGE_UPDATE_BYTES ? rangesOf(Y.snapshot(this.#doc).ds) : deletions(update)
    for (const range of ranges) this.#neededDeletes.push(range)
  }

  /**
   * A frame the server sent, after the provider applied it; `integrated` is
   * what that application added to the document (all of it from the server).
   */
  receive(frame: Uint8Array, integrated: Integrated | null): void {
    const decoder = decoding.createDecoder(frame)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
    const syncType = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (syncType === SYNC_STEP_1) {
      this.#offered = Y.decodeStateVector(payload)
      return
    }
    if (syncType !== SYNC_STEP_2 && syncType !== SYNC_UPDATE) return
    if (integrated) {
      for (const [client, end] of integrated.after) {
        if ((integrated.before.get(client) ?? 0) <= (this.#confirmed.get(client) ?? 0)) this.#raise(client, end)
      }
    }
    if (syncType === SYNC_STEP_2) {
      // The answer to this browser's step 1: held by the server until all it had, its step 1 included, was committed.
      if (this.#offered) for (const [client, clock] of this.#offered) this.#raise(client, clock)
      this.#offered = null
    } else {
      // An update may also echo what this browser already had (its own change): read its ranges from the frame.
      const { from, to } = Y.parseUpdateMeta(payload)
      for (const [client, end] of to) {
        // A range that starts past what is confirmed follows frames this browser missed: it proves nothing before it.
        if ((from.get(client) ?? 0) <= (this.#confirmed.get(client) ?? 0)) this.#raise(client, end)
      }
    }
    // Deletions are read only while some wait for confirmation: the first sync of a big board costs nothing more.
    if (this.#neededDeletes.length > 0) this.#confirmedDeletes.addAll(deletions(payload))
  }

  /** A new connection starts from what the server says on it; an offer from a dropped connection is void. */
  reset(): void {
    this.#offered = null
  }

  get saved(): boolean {
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.#doc))) {
      if ((this.#confirmed.get(client) ?? 0) < clock) return false
    }
    return !this.deletionsWaiting
  }

  /**
   * Whether a deletion made here (or loaded from the offline copy) waits for
   * the server: what it deleted is still on the board for everyone else (a
   * full board may not take it: server/relay/update-intake.ts).
   */
  get deletionsWaiting(): boolean {
    if (this.#neededDeletes.length > 0) {
      this.#neededDeletes = this.#neededDeletes.filter((range) => !this.#confirmedDeletes.covers(range))
    }
    return this.#neededDeletes.length > 0
  }

  #raise(client: number, clock: number): void {
    if ((this.#confirmed.get(client) ?? 0) < clock) this.#confirmed.set(client, clock)
  }
}

/**
 * Feeds a tracker from a provider: every frame its sockets receive (with what
 * applying it added to the document), and every change to the document that
 * did not come through it. Attach it before the provider connects. Returns
 * the cleanup.
 */
export function trackProvider(tracker: SaveTracker, provider: WebsocketProvider, onChange: () => void): () => void {
  let socket: WebSocket | null = null
  let integrated: Integrated | null = null
  // The provider applies a frame in one transaction, within its own message handler, just before ours runs.
  const onTransaction = (transaction: Y.Transaction) => {
    if (transaction.origin === provider) integrated = { before: transaction.beforeState, after: transaction.afterState }
  }
  const onMessage = (event: MessageEvent) => {
    if (event.data instanceof ArrayBuffer) tracker.receive(new Uint8Array(event.data), integrated)
    integrated = null
    onChange()
  }
  const onStatus = ({ status }: { status: string }) => {
    // The provider makes a new socket per connection attempt and announces it as "connecting".
    if (status === 'connecting' && provider.ws !== socket) {
      socket?.removeEventListener('message', onMessage)
      socket = provider.ws
      tracker.reset()
      socket?.addEventListener('message', onMessage)
    }
    onChange()
  }
  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === provider) return
    tracker.noteLocal(update)
    onChange()
  }
  provider.on('status', onStatus)
  provider.doc.on('update', onUpdate)
  provider.doc.on('afterTransaction', onTransaction)
  return () => {
    provider.off('status', onStatus)
    provider.doc.off('update', onUpdate)
    provider.doc.off('afterTransaction', onTransaction)
    socket?.removeEventListener('message', onMessage)
  }
}
