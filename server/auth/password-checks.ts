/**
 * How many sign-ins and password changes an instance checks a password for at
 * once (PASSWORD_CHECKS_IN_FLIGHT). A check is argon2id: 19 MiB and some 40 ms
 * of a core, on a thread of libuv's pool (four, shared with file reads and
 * DNS). Sign-ins with random unknown emails from rotating addresses pass every
 * count, as each email and address is new, and each still costs a check (the
 * decoy's, so that an unknown email answers as slowly as a wrong password): 32
 * such loops at once took a member's `GET /api/me` from 16 to 418 ms at the
 * median.
 *
 * Past the bound a sign-in waits its turn, so that a team signing in at once
 * (a shift starting, a crisis called) is served a few tens of milliseconds
 * later rather than refused; but only PASSWORD_CHECKS_WAITING of them, each
 * for at most PASSWORD_CHECK_WAIT_MS: a flood fills the queue, and is then
 * refused at once. A place is taken before anything is counted or looked up,
 * so a refusal costs nothing and spends no one's count.
 */
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
}

/** Answered 503 with Retry-After (errors.ts): the same request succeeds a moment later. */
export class PasswordChecksBusy extends Error {
  override name = 'PasswordChecksBusy'

  constructor(readonly limit: number) {
    super(`${limit} password checks are in flight on this instance and as many as PASSWORD_CHECKS_WAITING wait (PASSWORD_CHECKS_IN_FLIGHT)`)
  }
}
