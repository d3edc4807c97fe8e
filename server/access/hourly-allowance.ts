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
 * entry (a loop made 376 a second of a small board). The admin is not
 * counted, and neither is a caller without an account (open access), nor the
 * command line, which goes to storage itself.
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
import { TokenBucket } from '../relay/token-bucket.ts'
import type { Principal } from './access.ts'
import { countsShared } from './shared-counts.ts'

/**
 * A token bucket in Redis, timed by Redis' own clock so that the instances'
 * clocks need not agree: KEYS[1] the person's bucket; ARGV its size (the
 * hourly allowance), how much to take (0 only looks), and whether to take it
 * whatever is there (1: a cost known once paid, which may leave the bucket in
 * debt) or only when it is there, one at least (0). Answers 0 when it passed,
 * else the milliseconds until it would. A bucket left alone refills whole
 * within the hour (longer from debt), and expires once full.
 */
const TAKE_SCRIPT = `
local perHour = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local inDebt = ARGV[3] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = perHour
if saved[1] then
  tokens = math.min(perHour, tonumber(saved[1]) + math.max(0, now - tonumber(saved[2])) * perHour / 3600000)
end
local needed = math.max(amount, 1)
if not inDebt and tokens < needed then return math.ceil((needed - tokens) * 3600000 / perHour) end
if amount > 0 then
  local left = tokens - amount
  redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((perHour - left) * 3600000 / perHour)))
end
return 0
`

declare module 'ioredis' {
  interface RedisCommander<Context> {
    takeHourlyAllowance(key: string, perHour: number, amount: number, inDebt: 0 | 1): Result<number, Context>
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
    comments: allowance('comments', config.COMMENTS_PER_HOUR_PER_PERSON),
    exports: allowance('exports', config.EXPORTS_PER_HOUR_PER_PERSON),
    accessChanges: allowance('access-changes', config.ACCESS_CHANGES_PER_HOUR_PER_PERSON),
    workerSeconds: allowance('worker-seconds', config.WORKER_SECONDS_PER_HOUR_PER_PERSON),
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

  /** Counts one more for `principal`; false when they have used up what they may for now. */
  async take(principal: Principal): Promise<boolean> {
    if (principal.isAdmin || principal.userId === null) return true
    return (await this.count(principal.userId, 1, false)) === 0
  }

  /** Whether `principal` may do it once more now, counting nothing. */
  async allows(principal: Principal): Promise<boolean> {
    if (principal.isAdmin || principal.userId === null) return true
    return (await this.count(principal.userId, 0, false)) === 0
  }

  /** For a cost known only once paid (seconds of worker time): how long until `key` has one left, 0 when it has now. */
  async waitSeconds(key: string): Promise<number> {
    return Math.ceil((await this.count(key, 0, false)) / 1000)
  }

  /** Spends `amount` of `key`'s whatever is left, which may leave it in debt: the refill pays that back first. */
  async spend(key: string, amount: number): Promise<void> {
    await this.count(key, amount, true)
  }

  /** How long to wait for the next one once refused: one hour's share. */
  get retryAfterSeconds(): number {
    return Math.ceil(3600 / this.perHour)
  }

  /** Takes `amount` (0 only looks) from `key`'s bucket as TAKE_SCRIPT does; 0 when it passed, else the milliseconds until it would. */
  private async count(key: string, amount: number, inDebt: boolean): Promise<number> {
    const { redis, logger, keyPrefix } = this.counts
    if (redis && countsShared(redis)) {
      try {
        return await redis.takeHourlyAllowance(`${keyPrefix}:${this.name}:${key}`, this.perHour, amount, inDebt ? 1 : 0)
      } catch (error) {
        logger.warn({ allowance: this.name, err: errorMessage(error) }, 'could not count in Redis; counting in memory')
      }
    }
    const bucket = this.bucketOf(key)
    if (inDebt) {
      bucket.spend(amount)
      return 0
    }
    const needed = Math.max(amount, 1)
    if (!bucket.holds(needed)) return Math.ceil(bucket.secondsUntil(needed) * 1000)
    bucket.spend(amount)
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
