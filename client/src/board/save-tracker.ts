/**
 * Whether the server has stored everything this browser holds: the truth
 * behind the "saved" badge.
 *
 * The server broadcasts an update, echo to its sender included, only after it
 * is committed to its log; its sync step 2 (the answer to a client's step 1) is
 * held until everything the room had applied is committed. So every sync frame
 * the server sends says "this much is stored". The tracker keeps a model of
 * what the server has confirmed: a clock per client (structs are numbered
 * per client, and a client's structs reach the server in order) and the
 * deletions it has sent. The browser's state is saved when its state vector is
 * within the confirmed clocks and every deletion made here (or loaded from the
 * offline copy) is among the confirmed deletions.
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
  const ranges: Range[] = []
  for (const [client, items] of Y.decodeUpdate(update).ds.clients) {
    for (const item of items) ranges.push({ client, clock: item.clock, len: item.len })
  }
  return ranges
}

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
    for (const range of deletions(update)) this.#neededDeletes.push(range)
  }

  /** A frame the server sent (already applied by the provider). */
  receive(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
    const syncType = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (syncType === SYNC_STEP_1) {
      this.#offered = Y.decodeStateVector(payload)
    } else if (syncType === SYNC_STEP_2) {
      if (this.#offered) {
        for (const [client, clock] of this.#offered) this.#raise(client, clock)
        this.#offered = null
      }
      this.#confirmUpdate(payload)
    } else if (syncType === SYNC_UPDATE) {
      this.#confirmUpdate(payload)
    }
  }

  /** A new connection starts from what the server says on it; an offer from a dropped connection is void. */
  reset(): void {
    this.#offered = null
  }

  get saved(): boolean {
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.#doc))) {
      if ((this.#confirmed.get(client) ?? 0) < clock) return false
    }
    if (this.#neededDeletes.length > 0) {
      this.#neededDeletes = this.#neededDeletes.filter((range) => !this.#confirmedDeletes.covers(range))
    }
    return this.#neededDeletes.length === 0
  }

  #confirmUpdate(update: Uint8Array): void {
    const { from, to } = Y.parseUpdateMeta(update)
    for (const [client, end] of to) {
      // A range that starts past what is confirmed follows frames this browser missed: it proves nothing before it.
      if ((from.get(client) ?? 0) <= (this.#confirmed.get(client) ?? 0)) this.#raise(client, end)
    }
    this.#confirmedDeletes.addAll(deletions(update))
  }

  #raise(client: number, clock: number): void {
    if ((this.#confirmed.get(client) ?? 0) < clock) this.#confirmed.set(client, clock)
  }
}

/**
 * Feeds a tracker from a provider: every frame its sockets receive, and every
 * change to the document that did not come through it. Attach it before the
 * provider connects. Returns the cleanup.
 */
export function trackProvider(tracker: SaveTracker, provider: WebsocketProvider, onChange: () => void): () => void {
  let socket: WebSocket | null = null
  const onMessage = (event: MessageEvent) => {
    if (event.data instanceof ArrayBuffer) tracker.receive(new Uint8Array(event.data))
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
  return () => {
    provider.off('status', onStatus)
    provider.doc.off('update', onUpdate)
    socket?.removeEventListener('message', onMessage)
  }
}
