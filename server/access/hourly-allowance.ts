/**
 * How often one person may do something that leaves a lasting cost behind:
 * `perHour` times at once, then `perHour` times an hour. A sign-in is a
 * session row and an audit entry; a board is a row that every board list
 * walks and a document to keep (one account made 3,000 of them in ten
 * seconds, after which each listing held the event loop a third of a second);
 * a named snapshot or a restore stores the whole board once more (3.8 MB for
 * the board of 1,000 assessments), and a restore rewrites it for everyone on
 * it; a review comment (up to 20,000 characters) is kept for good, and every
 * open thread is sent to everyone opening the board; an export is an audit
 * entry (a loop made 376 a second of a small board), and so may a read of the
 * board as of a past time be (a loop made 500 a second). Some allowances count
 * an amount rather than acts: the bytes of snapshots a person has stored. The
 * admin is not counted, and neither is a caller without an account (open
 * access), nor the command line, which goes to storage itself.
 * Worker time is counted the other way: in seconds, each job's once it has
 * ended (a cost known only once paid, which may leave the bucket in debt), for
 * whoever owns the job, the admin and an address included (worker-pool.ts).
 *
 * With Redis every instance counts in one bucket per person (a script, so
 * that requests sent at once to several instances cannot slip past it
 * together); while Redis cannot be reached, each instance counts in its own
 * memory meanwhile.
 */
import type { Redis, Result } from 'ioredis'
import { errorMessage } from '../../shared/error-message.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../log.ts'
import { NEW_CLIENTS_PER_HOUR } from '../relay/client-writers.ts'
import { TokenBucket } from '../relay/token-bucket.ts'
import type { Principal } from './access.ts'
import { countsShared } from './shared-counts.ts'

/**
 * A token bucket in Redis, timed by Redis' own clock so that the instances'
 * clocks need not agree: KEYS[1] the person's bucket; ARGV its size (the
 * hourly allowance), the amount, and what to do: look whether the amount is
 * there ('look'), take it only when it is ('take'), spend it whatever is
 * there ('spend': a cost known once paid, which may leave the bucket in debt),
 * or give it back ('give': taken for an act that then failed; up to a full bucket).
 * An amount larger than the whole allowance passes a full bucket, leaving it in
 * debt (as TokenBucket.takeInDebt does). Answers 0 when it passed, else the
 * milliseconds until it would. A bucket left alone refills whole within the
 * time its tokens take to refill (longer from debt), and expires then.
 */
const TAKE_SCRIPT = `
local perHour = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local mode = ARGV[3]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = perHour
if saved[1] then
  tokens = math.min(perHour, tonumber(saved[1]) + math.max(0, now - tonumber(saved[2])) * perHour / 3600000)
end
if mode == 'look' or mode == 'take' then
  local needed = math.min(math.max(amount, 1), perHour)
  if tokens < needed then return math.ceil((needed - tokens) * 3600000 / perHour) end
end
if mode ~= 'look' and amount > 0 then
  local left = tokens - amount
  if mode == 'give' then left = math.min(perHour, tokens + amount) end
  redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((perHour - left) * 3600000 / perHour)))
end
return 0
`

/** What a count does with its amount (TAKE_SCRIPT). */
type CountMode = 'look' | 'take' | 'spend' | 'give'

declare module 'ioredis' {
  interface RedisCommander<Context> {
    takeHourlyAllowance(key: string, perHour: number, amount: number, mode: CountMode): Result<number, Context>
  }
}

/** Where the allowances count: Redis when there is one (see shared-counts.ts), under keys starting with `keyPrefix`; and where its failures are told. */
export type AllowanceCounts = { redis: Redis | undefined; logger: Logger; keyPrefix: string }

/** Every hourly allowance, as the configuration sets them. */
export function hourlyAllowances(config: Config, counts: AllowanceCounts) {
  counts.redis?.defineCommand('takeHourlyAllowance', { numberOfKeys: 1, lua: TAKE_SCRIPT })
  const allowance = (name: string, perHour: number) => new HourlyAllowance(name, perHour, counts)
  return {
    signIns: allowance('sign-ins', config.SIGN_INS_PER_HOUR_PER_ACCOUNT),
    boards: allowance('boards', config.BOARDS_PER_HOUR_PER_PERSON),
    snapshots: allowance('snapshots', config.SNAPSHOTS_PER_HOUR_PER_PERSON),
    snapshotBytes: allowance('snapshot-bytes', config.SNAPSHOT_BYTES_PER_HOUR_PER_PERSON),
    comments: allowance('comments', config.COMMENTS_PER_HOUR_PER_PERSON),
    exports: allowance('exports', config.EXPORTS_PER_HOUR_PER_PERSON),
    asOfReads: allowance('as-of-reads', config.AS_OF_READS_PER_HOUR_PER_PERSON),
    versionReads: allowance('version-reads', config.VERSION_READS_PER_HOUR_PER_PERSON),
    accessChanges: allowance('access-changes', config.ACCESS_CHANGES_PER_HOUR_PER_PERSON),
    workerSeconds: allowance('worker-seconds', config.WORKER_SECONDS_PER_HOUR_PER_PERSON),
    // Counted by the relay, once an update brings any (fresh-id-claims.ts).
    newClients: allowance('new-clients', NEW_CLIENTS_PER_HOUR),
  }
}

export type HourlyAllowances = ReturnType<typeof hourlyAllowances>

export class HourlyAllowance {
  private readonly buckets = new Map<string, TokenBucket>()

  /** `name` tells this allowance's buckets in Redis from the others' (the command is defined by hourlyAllowances). */
  constructor(
    private readonly name: string,
    readonly perHour: number,
    private readonly counts: AllowanceCounts,
  ) {}

  /** Counts `amount` more for `principal` (one by default); false when they have used up what they may for now. */
  async take(principal: Principal, amount = 1): Promise<boolean> {
    if (principal.isAdmin || principal.userId === null) return true
    return (await this.count(principal.userId, amount, 'take')) === 0
  }

  /** Whether `principal` may do it once more now (`amount` of it), counting nothing. */
  async allows(principal: Principal, amount = 1): Promise<boolean> {
    if (principal.isAdmin || principal.userId === null) return true
    return (await this.count(principal.userId, amount, 'look')) === 0
  }

  /**
   * Gives back `amount` taken for `principal` (one by default) for an act that
   * then failed, stored nothing, and may be asked for again: a full disk must
   * not leave them refused once it has room. Never past a full allowance.
   */
  async giveBack(principal: Principal, amount = 1): Promise<void> {
    if (principal.isAdmin || principal.userId === null) return
    await this.count(principal.userId, amount, 'give')
  }

  /** Counts `amount` more for `key` (a person's id, for an act that is not a request); false when they have used up what they may for now. */
  async takeFor(key: string, amount: number): Promise<boolean> {
    return (await this.count(key, amount, 'take')) === 0
  }

  /** For a cost known only once paid (seconds of worker time): how long until `key` has one left, 0 when it has now. */
  async waitSeconds(key: string): Promise<number> {
    return Math.ceil((await this.count(key, 1, 'look')) / 1000)
  }

  /** Spends `amount` of `key`'s whatever is left, which may leave it in debt: the refill pays that back first. */
  async spend(key: string, amount: number): Promise<void> {
    await this.count(key, amount, 'spend')
  }

  /** How long to wait once refused `amount`: the time the allowance takes to refill it (one hour's share of acts). */
  retryAfterSeconds(amount = 1): number {
    return Math.max(1, Math.ceil((Math.min(amount, this.perHour) * 3600) / this.perHour))
  }

  /** Does `mode` with `amount` of `key`'s bucket as TAKE_SCRIPT does; 0 when it passed, else the milliseconds until it would. */
  private async count(key: string, amount: number, mode: CountMode): Promise<number> {
    const { redis, logger, keyPrefix } = this.counts
    if (redis && countsShared(redis)) {
      try {
        return await redis.takeHourlyAllowance(`${keyPrefix}:${this.name}:${key}`, this.perHour, amount, mode)
      } catch (error) {
        logger.warn({ allowance: this.name, err: errorMessage(error) }, 'could not count in Redis; counting in memory')
      }
    }
    const bucket = this.bucketOf(key)
    if (mode === 'give') {
      bucket.refund(amount)
      return 0
    }
    if (mode !== 'spend') {
      const needed = Math.min(Math.max(amount, 1), this.perHour)
      if (!bucket.holds(needed)) return Math.ceil(bucket.secondsUntil(needed) * 1000)
    }
    if (mode !== 'look') bucket.spend(amount)
    return 0
  }

  private bucketOf(userId: string): TokenBucket {
    let bucket = this.buckets.get(userId)
    if (!bucket) {
      bucket = new TokenBucket(this.perHour / 3600, this.perHour)
      this.buckets.set(userId, bucket)
    }
    return bucket
  }
}
