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
 *
 * One email holds PASSWORD_CHECKS_PER_EMAIL places at a time (one by
 * default; an unknown email as many stand-ins): a flood naming a real
 * account's email from many addresses otherwise filled the queue until that
 * account's own ceiling of failures, and two of five members got in within
 * 15 s. A sign-in past it is told to try again, as past the queue, whether or
 * not the email has an account, so the answer tells nothing of which emails do.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export type PasswordCheckLimits = { inFlight: number; waiting: number; waitMs: number; perEmail: number }

type Waiter = { admit: () => void; timer: NodeJS.Timeout }

export class PasswordChecks {
  private inFlight = 0
  private readonly waiters: Waiter[] = []
  /** How many places or stand-ins each email (normalized) holds now. */
  private readonly heldByEmail = new Map<string, number>()

  constructor(private readonly limits: PasswordCheckLimits) {}

  /**
   * A place for one sign-in or password change of the account with `email`,
   * once one is free; rejects with PasswordChecksBusy while that email holds
   * as many as it may, or past the queue or its wait. `end` gives it back.
   */
  async start(email: string): Promise<{ end(): void }> {
    const releaseEmail = this.holdEmail(email)
    try {
      await this.takePlace()
    } catch (error) {
      releaseEmail()
      throw error
    }
    let ended = false
    return {
      end: () => {
        if (ended) return
        ended = true
        releaseEmail()
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
   * now, holding no place (only the email, as `start` does), so that neither can a flood of unknown emails keep
   * the team out nor does the answer tell which emails have accounts. Refused
   * while the queue is full; else waits about as long as a place would take to
   * come (`checkMs` for each check ahead), refused past the longest wait. Its
   * `end` gives back the email.
   */
  async standIn(email: string, checkMs: number): Promise<{ end(): void }> {
    const releaseEmail = this.holdEmail(email)
    const emailHeld = { end: releaseEmail }
    if (this.inFlight < this.limits.inFlight) return emailHeld
    try {
      if (this.waiters.length >= this.limits.waiting) throw new PasswordChecksBusy(this.limits.inFlight)
      const turnMs = Math.ceil((this.waiters.length + 1) / this.limits.inFlight) * checkMs
      await sleep(Math.min(turnMs, this.limits.waitMs))
      if (turnMs > this.limits.waitMs) throw new PasswordChecksBusy(this.limits.inFlight)
    } catch (error) {
      releaseEmail()
      throw error
    }
    return emailHeld
  }

  /** Counts a place held by `email` until the returned function is called (once; later calls do nothing). */
  private holdEmail(email: string): () => void {
    const held = this.heldByEmail.get(email) ?? 0
    if (held >= this.limits.perEmail) throw new PasswordChecksBusy(this.limits.inFlight)
    this.heldByEmail.set(email, held + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = this.heldByEmail.get(email)! - 1
      if (left === 0) this.heldByEmail.delete(email)
      else this.heldByEmail.set(email, left)
    }
  }

  /** Takes a free place, or waits in the queue for one. */
  private async takePlace(): Promise<void> {
    if (this.inFlight < this.limits.inFlight) {
      this.inFlight++
      return
    }
    if (this.waiters.length >= this.limits.waiting) throw new PasswordChecksBusy(this.limits.inFlight)
    // A place is handed over by the check that ends (`end` in start): inFlight stays as it is.
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
}

/** Answered 503 with Retry-After (errors.ts): the same request succeeds a moment later. */
export class PasswordChecksBusy extends Error {
  override name = 'PasswordChecksBusy'

  constructor(readonly limit: number) {
    super(`${limit} password checks are in flight on this instance and as many as PASSWORD_CHECKS_WAITING wait (PASSWORD_CHECKS_IN_FLIGHT)`)
  }
}
