/**
 * How often one person may do something that leaves a lasting cost behind on
 * this instance: `perHour` times at once, then `perHour` times an hour. A
 * sign-in is a session row and an audit entry; a board is a row that every
 * board list walks and a document to keep (one account made 3,000 of them in
 * ten seconds, after which each listing held the event loop a third of a
 * second); a named snapshot or a restore stores the whole board once more (3.8
 * MB for the board of 1,000 assessments), and a restore rewrites it for
 * everyone on it; a review comment (up to 20,000 characters) is kept for good,
 * and every open thread is sent to everyone opening the board; an export is an
 * audit entry (a loop made 376 a second of a small board). The admin is
 * not counted, and neither is a caller without an account (open access), nor
 * the command line, which goes to storage itself.
 */
import { TokenBucket } from '../relay/token-bucket.ts'
import type { Principal } from './access.ts'

export class HourlyAllowance {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(private readonly perHour: number) {}

  /** Counts one more for `principal`; false when they have used up what they may for now. */
  take(principal: Principal): boolean {
    return this.bucketOf(principal)?.take() ?? true
  }

  /** Whether `principal` may do it once more now, counting nothing. */
  allows(principal: Principal): boolean {
    return this.bucketOf(principal)?.holds(1) ?? true
  }

  /** Null for whoever is not counted. */
  private bucketOf(principal: Principal): TokenBucket | null {
    if (principal.isAdmin || principal.userId === null) return null
    let bucket = this.buckets.get(principal.userId)
    if (!bucket) {
      bucket = new TokenBucket(this.perHour / 3600, this.perHour)
      this.buckets.set(principal.userId, bucket)
    }
    return bucket
  }

  /** How long to wait for the next one once refused: one hour's share. */
  get retryAfterSeconds(): number {
    return Math.ceil(3600 / this.perHour)
  }
}
