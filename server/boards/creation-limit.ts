/**
 * How many boards one person may create on this instance: `perHour` at once,
 * then `perHour` an hour. Each board is a row that every board list walks and
 * a document to keep; one account made 3,000 of them in ten seconds, after
 * which each listing held the event loop a third of a second. The admin is
 * not counted, and neither is the command line, which goes to storage itself.
 */
import { TokenBucket } from '../relay/token-bucket.ts'

export class BoardCreationLimit {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(private readonly perHour: number) {}

  /** Counts a board `personId` is about to create; false when they have created as many as they may for now. */
  take(personId: string): boolean {
    let bucket = this.buckets.get(personId)
    if (!bucket) {
      bucket = new TokenBucket(this.perHour / 3600, this.perHour)
      this.buckets.set(personId, bucket)
    }
    return bucket.take()
  }

  /** How long to wait for the next board once refused: one hour's share. */
  get retryAfterSeconds(): number {
    return Math.ceil(3600 / this.perHour)
  }
}
