/**
 * Bytes queued to sockets but not yet written, per connection and across all
 * connections of the process. A client that stops reading would otherwise make
 * the server hold every frame sent to it; past either cap, the largest
 * backlogs are dropped first (their sockets ended at once, which frees their
 * memory) and the clients resync when they reconnect.
 *
 * Each socket says what it holds (its buffered bytes), so nothing is counted
 * per frame on the way out: a frame the kernel takes at once leaves no
 * backlog, which is nearly every frame. Only receivers whose socket held a
 * backlog after a send are remembered, and the total is counted again from
 * them only when it could be near the cap.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'

/** Whatever receives frames: it says what its socket still holds, and it can be ended when its backlog has to go. */
export interface QueuedReceiver {
  /** Bytes handed to its socket and not yet written out. */
  readonly queuedBytes: number
  abort(event: CloseEvent): void
}

export class OutboundBudget {
  /** Receivers whose socket held a backlog after a send; every other receiver holds none. */
  private readonly backlogged = new Set<QueuedReceiver>()
  /** The total when last counted, and the bytes sent since: together, at least what is queued now. */
  private counted = 0
  private sentSinceCount = 0

  constructor(private readonly limits: { perConnection: number; total: number }) {}

  /** Bytes queued now across every connection. */
  get queuedBytes(): number {
    return this.count()
  }

  /**
   * Checks that `bytes` may be queued to `receiver`, first making room by
   * ending the largest backlogs. Returns the close that `receiver` itself must
   * get when there is no room for it, or null when the bytes may be sent (then
   * call sent() once they are handed to the socket).
   */
  reserve(receiver: QueuedReceiver, bytes: number): CloseEvent | null {
    const own = receiver.queuedBytes
    if (own > 0) {
      if (own + bytes > this.limits.perConnection) return CLOSE.tooSlow
      // Counted whatever queued it (the socket's own control frames too), so that it can be found for eviction.
      this.backlogged.add(receiver)
    }
    if (this.counted + this.sentSinceCount + bytes > this.limits.total && this.count() + bytes > this.limits.total) {
      this.evictFor(bytes)
      // It was among the largest backlogs, and has been ended.
      if (own > 0 && !this.backlogged.has(receiver)) return CLOSE.serverOverloaded
    }
    this.sentSinceCount += bytes
    return null
  }

  /** A frame was handed to `receiver`'s socket: what the socket could not write at once is a backlog to watch. */
  sent(receiver: QueuedReceiver): void {
    if (receiver.queuedBytes > 0) this.backlogged.add(receiver)
  }

  /** `receiver` is gone: whatever it still had queued no longer counts. */
  forget(receiver: QueuedReceiver): void {
    this.backlogged.delete(receiver)
  }

  /** Counts every backlog afresh, letting go of the receivers whose sockets have drained. */
  private count(): number {
    let total = 0
    for (const receiver of this.backlogged) {
      const queued = receiver.queuedBytes
      if (queued > 0) total += queued
      else this.backlogged.delete(receiver)
    }
    this.counted = total
    this.sentSinceCount = 0
    return total
  }

  private evictFor(bytes: number): void {
    const largestFirst = [...this.backlogged].map((receiver) => ({ receiver, queued: receiver.queuedBytes })).sort((a, b) => b.queued - a.queued)
    for (const { receiver, queued } of largestFirst) {
      if (this.counted + bytes <= this.limits.total) return
      this.forget(receiver)
      this.counted -= queued
      receiver.abort(CLOSE.serverOverloaded)
    }
  }
}
