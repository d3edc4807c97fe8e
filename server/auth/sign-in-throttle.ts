/**
 * How many passwords anyone may try. An attempt takes its place in every count
 * before its password is checked (atomically: in Redis by one script, in
 * memory synchronously), so attempts sent in parallel cannot slip past a count
 * that has not caught up; a right password gives its place back.
 *
 * The counts are keyed so that one address cannot lock an account out for
 * people elsewhere:
 * - per account and address: the few tries that guessing one account from one
 *   place gets;
 * - per address: many accounts guessed from one place (an office behind one
 *   NAT shares it, so it is higher);
 * - per account, from every address together: a much higher ceiling against a
 *   spread-out attack, which only that many addresses can reach.
 *
 * An address is counted by addressKey: an IPv6 address by its /64, as a host
 * given one may use any address in it (21 of one /64 otherwise spent an
 * account's ceiling and locked its owner out).
 *
 * With Redis the counts are shared by every instance (shared-counts.ts);
 * while Redis cannot be reached, each instance counts in its own memory meanwhile.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Config } from '../config.ts'
import { addressKey } from '../access/address-key.ts'
import { countsShared } from '../access/shared-counts.ts'

/**
 * The three classes used here, each from its own file: the package's index
 * loads all of its limiters (MongoDB, DynamoDB, etcd, Prisma, MySQL…), 36
 * modules and some 0.4 MiB of every server's heap, for the two used.
 */
type Limiters = typeof import('rate-limiter-flexible')
const requireLimiter = createRequire(import.meta.url)
const RateLimiterMemory = requireLimiter('rate-limiter-flexible/lib/RateLimiterMemory.js') as Limiters['RateLimiterMemory']
const RateLimiterRedis = requireLimiter('rate-limiter-flexible/lib/RateLimiterRedis.js') as Limiters['RateLimiterRedis']
const RateLimiterRes = requireLimiter('rate-limiter-flexible/lib/RateLimiterRes.js') as Limiters['RateLimiterRes']

export type SignInLimits = {
  perAccountAndAddress: number
  perAddress: number
  perAccount: number
  /** The counts start afresh this long after an account's (or address's) first failure. */
  windowSeconds: number
}

/** Which count refused an attempt: the log says so, the person is told only when to try again. */
export type SignInLimit = 'account-and-address' | 'address' | 'account'

export type SignInAttempt =
  | { allowed: true; /** The password was right: the attempt gives its places back and this address's failures on the account are forgiven. */ succeeded(): Promise<void> }
  | { allowed: false; limit: SignInLimit; retryAfterSeconds: number }

type Count = { limit: SignInLimit; limiter: RateLimiterAbstract; key(account: string, address: string): string }
type Taken = { count: Count; key: string }

export class SignInThrottle {
  /** In this order: a refused address stops before anything keyed by the account is touched. */
  private readonly counts: Count[]

  /** The throttle the configuration asks for: shared through `redis` when there is one (see shared-counts.ts), its keys starting with `keyPrefix`. */
  static fromConfig(config: Config, redis: Redis | undefined, keyPrefix: string): SignInThrottle {
    const limits: SignInLimits = {
      perAccountAndAddress: config.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
      perAddress: config.SIGN_IN_FAILURES_PER_ADDRESS,
      perAccount: config.SIGN_IN_FAILURES_PER_ACCOUNT,
      windowSeconds: config.SIGN_IN_WINDOW_SECONDS,
    }
    return new SignInThrottle(limits, { redis, keyPrefix })
  }

  constructor(
    limits: SignInLimits,
    private readonly store: { redis: Redis | undefined; keyPrefix: string },
  ) {
    const limiter = (limit: SignInLimit, points: number): RateLimiterAbstract => {
      const options = { keyPrefix: `${store.keyPrefix}:${limit}`, points, duration: limits.windowSeconds }
      if (!store.redis) return new RateLimiterMemory(options)
      return new RateLimiterRedis({
        ...options,
        storeClient: store.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      })
    }
    this.counts = [
      { limit: 'address', limiter: limiter('address', limits.perAddress), key: (_account, address) => address },
      {
        limit: 'account-and-address',
        limiter: limiter('account-and-address', limits.perAccountAndAddress),
        key: (account, address) => `${accountKey(account)}:${address}`,
      },
      { limit: 'account', limiter: limiter('account', limits.perAccount), key: (account) => accountKey(account) },
    ]
  }

  /** True while the counts are shared through Redis (false without Redis, or while it cannot be reached). */
  get shared(): boolean {
    return countsShared(this.store.redis)
  }

  /** Takes the attempt's place in every count, or says which refused it and for how long. */
  async begin(account: string, address: string): Promise<SignInAttempt> {
    const taken: Taken[] = []
    const counted = addressKey(address)
    for (const count of this.counts) {
      const key = count.key(account, counted)
      try {
        await count.limiter.consume(key)
        taken.push({ count, key })
      } catch (refusal) {
        // The places taken before were for a password that is not checked after all.
        await giveBack(taken)
        if (!(refusal instanceof RateLimiterRes)) throw refusal
        return { allowed: false, limit: count.limit, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) }
      }
    }
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all(
          taken.map(({ count, key }) => (count.limit === 'account-and-address' ? count.limiter.delete(key) : count.limiter.reward(key))),
        )
      },
    }
  }
}

async function giveBack(taken: Taken[]): Promise<void> {
  await Promise.all(taken.map(({ count, key }) => count.limiter.reward(key)))
}

/**
 * The typed account name is not kept as it was typed (it is sometimes a
 * password): the same for every instance, so Redis can share the count.
 */
function accountKey(account: string): string {
  return createHash('sha256').update(account).digest('hex').slice(0, 32)
}
