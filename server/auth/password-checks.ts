/**
 * How many sign-ins and password changes an instance checks a password for at
 * once (PASSWORD_CHECKS_IN_FLIGHT). A check is argon2id: 19 MiB and some 40 ms
 * of a core, on a thread of libuv's pool (four, shared with file reads and
 * DNS).
 *
 * Past the bound a sign-in waits its turn, so that a team signing in at once
 * (a shift starting, a crisis called) is served a few tens of milliseconds
 * later rather than refused; but only PASSWORD_CHECKS_WAITING of them, each
 * for at most PASSWORD_CHECK_WAIT_MS: a flood fills the queue, and is then
 * refused at once. A place is taken before anything is counted, so a refusal
 * spends no one's count.
 *
 * Only an account's password takes a place. Sign-ins with random unknown
 * emails from rotating addresses pass every count, as each email and address
 * is new: when each took a place (and checked a decoy, so as to answer as
 * slowly as a wrong password), 48 loops from random IPv6 /64s kept the queue
 * full and none of five members could sign in in 15 s. An unknown email gets
 * `standIn` instead: the same answer, without a place or a core.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export type PasswordCheckLimits = { inFlight: number; waiting: number; waitMs: number }

type Waiter = { admit: () => void; timer: NodeJS.Timeout }

export class PasswordChecks {
  private inFlight = 0
  private readonly waiters: Waiter[] = []

  constructor(private readonly limits: PasswordCheckLimits) {}

  /** A place for one sign-in or password change, once one is free; rejects with PasswordChecksBusy past the queue or its wait. `end` gives it back. */
  async start(): Promise<{ end(): void }> {
    if (this.inFlight < this.limits.inFlight) {
      this.inFlight++
    } else {
      if (this.waiters.length >= this.limits.waiting) throw new PasswordChecksBusy(this.limits.inFlight)
      // A place is handed over by the check that ends (`end` below): inFlight stays as it is.
      await new Promise<void>((admit, refuse) => {
        const waiter: Waiter = {
          admit,
          timer: setTimeout(() => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1)
            refuse(new PasswordChecksBusy(this.limits.inFlight))
          }, this.limits.waitMs),
        }
        this.waiters.push(waiter)
      })
    }
    let ended = false
    return {
      end: () => {
        if (ended) return
        ended = true
        const next = this.waiters.shift()
        if (!next) {
          this.inFlight--
          return
        }
        clearTimeout(next.timer)
        next.admit()
      },
    }
  }

  /**
   * For a sign-in whose email has no account: the answer `start` would give
   * now, holding no place, so that neither can a flood of unknown emails keep
   * the team out nor does the answer tell which emails have accounts. Refused
   * while the queue is full; else waits about as long as a place would take to
   * come (`checkMs` for each check ahead), refused past the longest wait. Its
   * `end` has nothing to give back.
   */
  async standIn(checkMs: number): Promise<{ end(): void }> {
    const nothingHeld = { end: () => {} }
    if (this.inFlight < this.limits.inFlight) return nothingHeld
    if (this.waiters.length >= this.limits.waiting) throw new PasswordChecksBusy(this.limits.inFlight)
    const turnMs = Math.ceil((this.waiters.length + 1) / this.limits.inFlight) * checkMs
    await sleep(Math.min(turnMs, this.limits.waitMs))
    if (turnMs > this.limits.waitMs) throw new PasswordChecksBusy(this.limits.inFlight)
    return nothingHeld
  }
}

/** Answered 503 with Retry-After (errors.ts): the same request succeeds a moment later. */
export class PasswordChecksBusy extends Error {
  override name = 'PasswordChecksBusy'

  constructor(readonly limit: number) {
    super(`${limit} password checks are in flight on this instance and as many as PASSWORD_CHECKS_WAITING wait (PASSWORD_CHECKS_IN_FLIGHT)`)
  }
}
