/**
 * How many imports, and apart from them how many import previews, one person
 * may have in flight at once on an instance (IMPORTS_PER_PERSON,
 * PREVIEWS_PER_PERSON), from the request to the answer. Imports are applied
 * one at a time in the process's lane (server/import/apply-lane.ts), each
 * holding the relay's thread up to a few seconds for 10,000 claims: without a
 * limit one editor sending imports into boards of their own could fill that
 * lane, and everyone else's imports would wait behind all of theirs. A preview
 * changes nothing, but reads its board's whole stored log (on PostgreSQL on a
 * connection of the pool, on SQLite on the relay's thread): sixteen previews
 * at once of boards of 14.5 MB held the pool's ten connections, and other
 * people's reads of a small board waited seconds. Previews are counted apart
 * so that previewing never refuses an import, nor an import a preview. A
 * person null (a server without accounts, the command line) is not counted,
 * as the relay's per-person limits count no one there.
 */
import { CountsByKey } from './counts-by-key.ts'
import { ApiError, RETRY_AFTER_SECONDS } from './errors.ts'

export class InFlightPerPerson {
  private readonly perPerson = new CountsByKey()

  constructor(
    private readonly limit: number,
    private readonly refusal: (limit: number) => ApiError,
  ) {}

  /** `work`, counted against `person` while it runs; refused at once, before any of it runs, when they have `limit` in flight. */
  async run<T>(person: string | null, work: () => Promise<T>): Promise<T> {
    if (person === null) return work()
    if (this.perPerson.of(person) >= this.limit) throw this.refusal(this.limit)
    this.perPerson.add(person)
    try {
      return await work()
    } finally {
      this.perPerson.remove(person)
    }
  }
}

export function tooManyImports(limit: number): ApiError {
  return new ApiError(
    429,
    'too_many_imports',
    `You have ${limit} imports in flight on this server, as many as one person may at once (IMPORTS_PER_PERSON); nothing of this one was imported. Wait for one of them to finish and try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}

export function tooManyPreviews(limit: number): ApiError {
  return new ApiError(
    429,
    'too_many_previews',
    `You have ${limit} import previews in flight on this server, as many as one person may at once (PREVIEWS_PER_PERSON); this one was not previewed. Wait for one of them to answer and try again in ${RETRY_AFTER_SECONDS} s.`,
    RETRY_AFTER_SECONDS,
  )
}
