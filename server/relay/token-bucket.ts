/**
 * A rate with a burst: `capacity` tokens, refilled at `perSecond`. Taking more
 * than is there fails and takes nothing, so a refused frame costs nothing.
 */
export class TokenBucket {
  private tokens: number
  private refilledAt = performance.now()

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity
  }

  take(amount = 1): boolean {
    const now = performance.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond)
    this.refilledAt = now
    if (this.tokens < amount) return false
    this.tokens -= amount
    return true
  }
}
