/**
 * Bytes queued to sockets but not yet written, per connection and across all
 * connections of the process. A client that stops reading would otherwise make
 * the server hold every frame sent to it; past either cap, the largest
 * backlogs are dropped first (their sockets ended at once, which frees their
 * memory) and the clients resync when they reconnect.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'

/** Whatever receives frames: it can be ended when its backlog has to go. */
export interface QueuedReceiver {
  abort(event: CloseEvent): void
}

export class OutboundBudget {
  private total = 0
  private readonly queued = new Map<QueuedReceiver, number>()

  constructor(private readonly limits: { perConnection: number; total: number }) {}

  /** Bytes queued now across every connection. */
  get queuedBytes(): number {
    return this.total
  }

  /**
   * Counts `bytes` about to be queued to `receiver`, first making room by ending
   * the largest backlogs. Returns the close that `receiver` itself must get
   * when there is no room for it, or null when the bytes are counted.
   */
  reserve(receiver: QueuedReceiver, bytes: number): CloseEvent | null {
    const own = this.queued.get(receiver) ?? 0
    if (own > 0 && own + bytes > this.limits.perConnection) return CLOSE.tooSlow
    if (this.total + bytes > this.limits.total) {
      this.evictFor(bytes)
      // It was among the largest backlogs, and has been ended.
      if (own > 0 && !this.queued.has(receiver)) return CLOSE.serverOverloaded
    }
    this.queued.set(receiver, (this.queued.get(receiver) ?? 0) + bytes)
    this.total += bytes
    return null
  }

  /** `bytes` sent to `receiver` have been written out (or dropped with its socket). */
  release(receiver: QueuedReceiver, bytes: number): void {
    const own = this.queued.get(receiver)
    if (own === undefined) return
    const left = own - bytes
    if (left > 0) this.queued.set(receiver, left)
    else this.queued.delete(receiver)
    this.total -= Math.min(own, bytes)
  }

  /** `receiver` is gone: whatever it still had queued no longer counts. */
  forget(receiver: QueuedReceiver): void {
    const own = this.queued.get(receiver)
    if (own === undefined) return
    this.queued.delete(receiver)
    this.total -= own
  }

  private evictFor(bytes: number): void {
    const largestFirst = [...this.queued].sort((a, b) => b[1] - a[1])
    for (const [receiver] of largestFirst) {
      if (this.total + bytes <= this.limits.total) return
      this.forget(receiver)
      receiver.abort(CLOSE.serverOverloaded)
    }
  }
}
