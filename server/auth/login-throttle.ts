/**
 * Growing delays after failed sign-ins, kept per key (an account's email, a
 * client's address). The first few failures are free; after that each one
 * doubles the wait before the next attempt, up to a cap. The state is in this
 * process's memory: a restart forgets it, and several instances each keep
 * their own.
 */
export type ThrottleOptions = {
  /** Failures allowed before any wait. */
  freeFailures: number
  baseDelayMs: number
  maxDelayMs: number
  /** A key with no failure for this long starts afresh. */
  forgetAfterMs: number
  /** Beyond this many keys the longest-quiet ones are dropped, so a spray of made-up emails cannot fill memory. */
  maxKeys: number
}

type Entry = { failures: number; lastFailureAt: number }

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitMs(key: string): number {
    const entry = this.current(key)
    if (!entry || entry.failures < this.options.freeFailures) return 0
    return Math.max(0, entry.lastFailureAt + this.delayAfter(entry.failures) - this.now())
  }

  fail(key: string): void {
    const entry = this.current(key) ?? { failures: 0, lastFailureAt: 0 }
    entry.failures++
    entry.lastFailureAt = this.now()
    // Re-inserting keeps the map in order of last failure, oldest first, for eviction.
    this.entries.delete(key)
    this.entries.set(key, entry)
    while (this.entries.size > this.options.maxKeys) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }

  succeed(key: string): void {
    this.entries.delete(key)
  }

  private delayAfter(failures: number): number {
    const { freeFailures, baseDelayMs, maxDelayMs } = this.options
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - freeFailures))
  }

  private current(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && this.now() - entry.lastFailureAt > this.options.forgetAfterMs) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }
}

/** Five free tries per account, then 1 s, 2 s, 4 s … up to 15 minutes. */
export const ACCOUNT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
  maxKeys: 10_000,
}

/** An address may be a whole office behind one NAT: more free tries, the same growth. */
export const ADDRESS_THROTTLE: ThrottleOptions = { ...ACCOUNT_THROTTLE, freeFailures: 20 }
