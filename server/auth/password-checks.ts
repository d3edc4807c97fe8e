/**
 * How many sign-ins and password changes an instance checks a password for at
 * once (PASSWORD_CHECKS_IN_FLIGHT). A check is argon2id: 19 MiB and some 40 ms
 * of a core, on a thread of libuv's pool (four, shared with file reads and
 * DNS). Sign-ins with random unknown emails from rotating addresses pass every
 * count, as each email and address is new, and each still costs a check (the
 * decoy's, so that an unknown email answers as slowly as a wrong password): 32
 * such loops at once took a member's `GET /api/me` from 16 to 418 ms at the
 * median. Past the bound a sign-in is refused at once, before it is counted or
 * looked up, so the refusal costs nothing and spends no one's count.
 */
export class PasswordChecks {
  private inFlight = 0

  constructor(private readonly limit: number) {}

  /** Takes a place for one sign-in or password change, or throws PasswordChecksBusy; `end` gives it back. */
  start(): { end(): void } {
    if (this.inFlight >= this.limit) throw new PasswordChecksBusy(this.limit)
    this.inFlight++
    let ended = false
    return {
      end: () => {
        if (ended) return
        ended = true
        this.inFlight--
      },
    }
  }
}

/** Answered 503 with Retry-After (errors.ts): the same request succeeds a moment later. */
export class PasswordChecksBusy extends Error {
  override name = 'PasswordChecksBusy'

  constructor(readonly limit: number) {
    super(`${limit} password checks are in flight on this instance (PASSWORD_CHECKS_IN_FLIGHT)`)
  }
}
