/**
 * How many imports (not previews, which change nothing) one person may have in
 * flight at once on an instance (IMPORTS_PER_PERSON), from the request to the
 * import committed. Imports are applied one at a time in the process's lane
 * (server/import/apply-lane.ts), each holding the relay's thread up to a few
 * seconds for 10,000 claims: without a limit one editor sending imports into
 * boards of their own could fill that lane, and everyone else's imports would
 * wait behind all of theirs. A person null (a server without accounts, the
 * command line) is not counted, as the relay's per-person limits count no one there.
 */
import { CountsByKey } from './counts-by-key.ts'
import { ApiError, RETRY_AFTER_SECONDS } from './errors.ts'

export class ImportsInFlight {
  private readonly perPerson = new CountsByKey()

  constructor(private readonly limit: number) {}

  /** `work`, counted against `person` while it runs; refused at once when they have `limit` in flight. */
  async run<T>(person: string | null, work: () => Promise<T>): Promise<T> {
    if (person === null) return work()
    if (this.perPerson.of(person) >= this.limit) throw tooManyImports(this.limit)
    this.perPerson.add(person)
    try {
      return await work()
    } finally {
      this.perPerson.remove(person)
    }
  }
}

function tooManyImports(limit: number): ApiError {
  return new ApiError(
    429,
    'too_many_imports',
    `You have ${limit} imports in flight on this server, as many as one person may at once (IMPORTS_PER_PERSON); nothing of this one was imported. Wait for one of them to finish and try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}
