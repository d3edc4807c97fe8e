/**
 * Each person's share of the instance's cold loads (ColdLoads): what their
 * loads cost lately, refilled at their share of the instance's minute. Kept
 * only while some of it is spent: a person who has not loaded lately has a
 * whole share, and nothing here.
 */
import type { IncomingRates } from './incoming-rates.ts'
import { TokenBucket } from './token-bucket.ts'

export class LoadShares {
  private readonly spent = new Map<IncomingRates, TokenBucket>()

  constructor(
    private readonly bytesPerMinute: number,
    private readonly burst: number,
  ) {}

  /** Whether `person`'s loads lately leave them some of their share: not in debt. */
  within(person: IncomingRates): boolean {
    return this.spent.get(person)?.holds(0) ?? true
  }

  /** Counts a load of `person`'s (known once loaded: it may go past what was left, once). */
  spend(person: IncomingRates, bytes: number): void {
    for (const [someone, share] of this.spent) if (share.holds(share.capacity)) this.spent.delete(someone)
    let share = this.spent.get(person)
    if (!share) {
      share = new TokenBucket(this.bytesPerMinute / 60, this.burst)
      this.spent.set(person, share)
    }
    share.spend(bytes)
  }
}
