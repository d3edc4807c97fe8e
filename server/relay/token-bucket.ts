/**
 * A rate with a burst: `capacity` tokens, refilled at `perSecond`. Taking more
 * than is there fails and takes nothing, so a refused frame costs nothing;
 * spending what was only known once it was done (what a board took in of an
 * update) may leave it in debt, which the refill pays back first.
 */
export class TokenBucket {
  private tokens: number
  private refilledAt = performance.now()

  constructor(
    private readonly perSecond: number,
    readonly capacity: number,
  ) {
    this.tokens = capacity
  }

  take(amount = 1): boolean {
    if (!this.holds(amount)) return false
    this.tokens -= amount
    return true
  }

  /** Whether `amount` could be taken now. */
  holds(amount: number): boolean {
    this.refill()
    return this.tokens >= amount
  }

  /** The whole tokens there now (none while in debt). */
  available(): number {
    this.refill()
    return Math.max(0, Math.floor(this.tokens))
  }

  /** Seconds until `amount` could be taken; 0 when it can now. */
  secondsUntil(amount: number): number {
    this.refill()
    return Math.max(0, (amount - this.tokens) / this.perSecond)
  }

  /** Takes `amount` whatever is there: the bucket may go below empty, and refills from there. */
  spend(amount: number): void {
    this.refill()
    this.tokens -= amount
  }

  /**
   * Takes `amount` once the bucket holds it, or is full when it is more than
   * it holds at all, leaving it in debt: anything may pass, one at a time, at
   * the rate on average.
   */
  takeInDebt(amount: number): boolean {
    if (!this.holdsInDebt(amount)) return false
    this.spend(amount)
    return true
  }

  /** Whether takeInDebt would take `amount` now. */
  holdsInDebt(amount: number): boolean {
    return this.holds(Math.min(amount, this.capacity))
  }

  /** Gives back what was taken, up to the capacity. */
  refund(amount: number): void {
    this.refill()
    this.tokens = Math.min(this.capacity, this.tokens + amount)
  }

  private refill(): void {
    const now = performance.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond)
    this.refilledAt = now
  }
}
