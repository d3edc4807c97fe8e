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
 * An email without an account is counted the same way, so that the answers do
 * not tell which emails have one.
 *
 * An address is counted by addressKey: an IPv6 address by its /64, as a host
 * given one may use any address in it (21 of one /64 otherwise spent an
 * account's ceiling and locked its owner out).
 *
 * In memory the counts are held in two stores of at most
 * SIGN_IN_COUNTS_IN_MEMORY keys each (window-counts.ts) and a sketch of fixed
 * size (window-sketch.ts): anyone may name new emails from new addresses (an IPv6 network has /64s without end), and a
 * store with room for every one grew 2 KB an attempt for the whole window.
 * When a store is full its oldest count is forgotten, so what each holds is
 * weighed against what forgetting it gives away:
 * - the ceiling of an account that exists is alone in its store, which only
 *   failures on accounts fill: one key per account, however many addresses and
 *   unknown emails are thrown at the sign-in, so no flood reopens guessing on
 *   an account past its ceiling;
 * - the per-address counts and the per-account-and-address counts share the
 *   other store. Pushing one out takes as many new keys as the store holds
 *   (an address's 20 failures add at most 21), and those addresses get more
 *   guesses of their own than the forgotten count gave back; the accounts'
 *   ceilings still hold.
 * The ceilings of emails without an account are in neither: any email may be
 * named, so a store of them is filled at will, and one forgotten there while
 * an account's is not told which emails have one (an unknown email answered
 * 401 where an account at the same count answered 429). They are counted in
 * a sketch of fixed size that no flood pushes a count out of
 * (window-sketch.ts), which gives an email's count and window end exactly as
 * the accounts' store does unless a collision, which nobody can aim, changes
 * them (see there). Refusing an unknown email sooner costs nobody a sign-in:
 * no password is right for it.
 *
 * With Redis the counts are shared by every instance (shared-counts.ts), each
 * key expiring with its window; while Redis cannot be reached, each instance
 * counts in its own memory meanwhile.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'
import type { Config } from '../config.ts'
import { addressKey } from '../access/address-key.ts'
import { countsShared } from '../access/shared-counts.ts'
import { WindowCounts, type WindowPlace } from './window-counts.ts'
import { WindowSketch } from './window-sketch.ts'

/**
 * The two classes used here, each from its own file: the package's index
 * loads all of its limiters (MongoDB, DynamoDB, etcd, Prisma, MySQL…), 36
 * modules and some 0.4 MiB of every server's heap, for the two used.
 */
type Limiters = typeof import('rate-limiter-flexible')
const requireLimiter = createRequire(import.meta.url)
const RateLimiterRedis = requireLimiter('rate-limiter-flexible/lib/RateLimiterRedis.js') as Limiters['RateLimiterRedis']
const RateLimiterRes = requireLimiter('rate-limiter-flexible/lib/RateLimiterRes.js') as Limiters['RateLimiterRes']

export type SignInLimits = {
  perAccountAndAddress: number
  perAddress: number
  perAccount: number
  /** The counts start afresh this long after an account's (or address's) first failure. */
  windowSeconds: number
  /** Keys each store in memory holds at most (see above). */
  keysInMemory: number
}

/** Which count refused an attempt: the log says so, the person is told only when to try again. */
export type SignInLimit = 'account-and-address' | 'address' | 'account'

export type SignInAttempt =
  | { allowed: true; /** The password was right: the attempt gives its places back and this address's failures on the account are forgiven. */ succeeded(): Promise<void> }
  | { allowed: false; limit: SignInLimit; retryAfterSeconds: number }

/** Keys held in this instance's memory, by store (see above). */
export type SignInCountsHeld = { accounts: number; others: number }

/** Where one count keeps its places. */
type Places = {
  take(key: string): Promise<WindowPlace>
  giveBack(key: string): Promise<void>
  forget(key: string): Promise<void>
}

type Count = { limit: SignInLimit; key(account: string, address: string): string; places(accountExists: boolean): Places }
type Taken = { count: Count; places: Places; key: string }

export class SignInThrottle {
  /** In this order: a refused address stops before anything keyed by the account is touched. */
  private readonly counts: Count[]
  /** The ceilings of accounts that exist. */
  private readonly accounts: WindowCounts
  /** Per address, and per account and address. */
  private readonly others: WindowCounts
  /** The ceilings of emails without an account. */
  private readonly noAccounts: WindowSketch

  /** The throttle the configuration asks for: shared through `redis` when there is one (see shared-counts.ts), its keys starting with `keyPrefix`. */
  static fromConfig(config: Config, redis: Redis | undefined, keyPrefix: string): SignInThrottle {
    const limits: SignInLimits = {
      perAccountAndAddress: config.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
      perAddress: config.SIGN_IN_FAILURES_PER_ADDRESS,
      perAccount: config.SIGN_IN_FAILURES_PER_ACCOUNT,
      windowSeconds: config.SIGN_IN_WINDOW_SECONDS,
      keysInMemory: config.SIGN_IN_COUNTS_IN_MEMORY,
    }
    return new SignInThrottle(limits, { redis, keyPrefix })
  }

  constructor(
    limits: SignInLimits,
    private readonly store: { redis: Redis | undefined; keyPrefix: string },
  ) {
    this.accounts = new WindowCounts(limits.windowSeconds * 1000, limits.keysInMemory)
    this.others = new WindowCounts(limits.windowSeconds * 1000, limits.keysInMemory)
    this.noAccounts = new WindowSketch(limits.windowSeconds * 1000)
    /** A count's places: in Redis when there is one, in `inMemory` without it or while it cannot be reached. */
    const places = (limit: SignInLimit, points: number, inMemory: Places): Places => {
      if (!store.redis) return inMemory
      const limiter = new RateLimiterRedis({ keyPrefix: `${store.keyPrefix}:${limit}`, points, duration: limits.windowSeconds, storeClient: store.redis, rejectIfRedisNotReady: true })
      return redisPlaces(limiter, inMemory)
    }
    const address = places('address', limits.perAddress, memoryPlaces(this.others, 'address', limits.perAddress))
    const accountAndAddress = places('account-and-address', limits.perAccountAndAddress, memoryPlaces(this.others, 'account-and-address', limits.perAccountAndAddress))
    const account = places('account', limits.perAccount, memoryPlaces(this.accounts, 'account', limits.perAccount))
    const noAccount = places('account', limits.perAccount, sketchPlaces(this.noAccounts, limits.perAccount))
    this.counts = [
      { limit: 'address', key: (_account, address) => address, places: () => address },
      { limit: 'account-and-address', key: (account, address) => `${accountKey(account)}:${address}`, places: () => accountAndAddress },
      { limit: 'account', key: (account) => accountKey(account), places: (accountExists) => (accountExists ? account : noAccount) },
    ]
  }

  /** True while the counts are shared through Redis (false without Redis, or while it cannot be reached). */
  get shared(): boolean {
    return countsShared(this.store.redis)
  }

  get held(): SignInCountsHeld {
    return { accounts: this.accounts.size, others: this.others.size }
  }

  /**
   * Takes the attempt's place in every count, or says which refused it and for how long. `accountExists` says only
   * where the account's ceiling is held in memory: the counts and the answers are the same either way.
   */
  async begin(account: string, address: string, accountExists: boolean): Promise<SignInAttempt> {
    const taken: Taken[] = []
    const counted = addressKey(address)
    for (const count of this.counts) {
      const key = count.key(account, counted)
      const places = count.places(accountExists)
      const place = await places.take(key)
      if (!place.taken) {
        // The places taken before were for a password that is not checked after all.
        await giveBack(taken)
        return { allowed: false, limit: count.limit, retryAfterSeconds: Math.max(1, Math.ceil(place.msBeforeNext / 1000)) }
      }
      taken.push({ count, places, key })
    }
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all(taken.map(({ count, places, key }) => (count.limit === 'account-and-address' ? places.forget(key) : places.giveBack(key))))
      },
    }
  }
}

async function giveBack(taken: Taken[]): Promise<void> {
  await Promise.all(taken.map(({ places, key }) => places.giveBack(key)))
}

/** One count's places in a store in memory, which several counts share under their own key prefixes. */
function memoryPlaces(counts: WindowCounts, limit: SignInLimit, points: number): Places {
  return {
    take: async (key) => counts.take(`${limit}:${key}`, points),
    giveBack: async (key) => counts.giveBack(`${limit}:${key}`),
    forget: async (key) => counts.forget(`${limit}:${key}`),
  }
}

/** The ceilings of emails without an account, alone in their sketch. */
function sketchPlaces(sketch: WindowSketch, points: number): Places {
  return {
    take: async (key) => sketch.take(key, points),
    giveBack: async (key) => sketch.giveBack(key),
    // Only the per-account-and-address counts are forgotten (on a right password); a sketch cannot forget one key alone.
    forget: async (key) => sketch.giveBack(key),
  }
}

/** One count's places in Redis, and in `meanwhile` whenever Redis does not answer. */
function redisPlaces(limiter: InstanceType<Limiters['RateLimiterRedis']>, meanwhile: Places): Places {
  return {
    take: async (key) => {
      try {
        await limiter.consume(key)
        return { taken: true }
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { taken: false, msBeforeNext: refusal.msBeforeNext }
        return meanwhile.take(key)
      }
    },
    giveBack: (key) => limiter.reward(key).then(() => undefined, () => meanwhile.giveBack(key)),
    forget: (key) => limiter.delete(key).then(() => undefined, () => meanwhile.forget(key)),
  }
}

/**
 * The typed account name is not kept as it was typed (it is sometimes a
 * password): the same for every instance, so Redis can share the count.
 */
function accountKey(account: string): string {
  return createHash('sha256').update(account).digest('hex').slice(0, 32)
}
