/**
 * A snapshot sent whole to a person (its state, for the read-only board view,
 * or its model) counts its bytes against what they may load a minute
 * (LOADED_BYTES_PER_MINUTE_PER_PERSON), as opening a board nobody holds does:
 * it is a board read out of storage for them. Kept and shared, an answer still
 * costs the relay's thread its bytes written to the socket, and a reviewer's
 * six loops re-reading a 10 MB snapshot were each served as fast as they
 * could read: 11 answers, 110 MB, a second. Refused before anything is read;
 * counted once the answer is known, so one answer may go past what was left,
 * and the next is refused until the minute refills.
 */
import type { Context } from 'hono'
import type { IncomingRates } from '../relay/incoming-rates.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import type { BoardEnv } from './app-env.ts'

/** What the caller may load, or `429 loading_too_much` (naming `what` was asked for, in the log) when it is spent; null for a caller without an account, not counted as the relay counts no one there. */
export function loadingPayer(c: Context<BoardEnv>, what = 'a snapshot'): IncomingRates | null {
  const person = c.var.principal.userId
  if (person === null) return null
  const rates = c.var.services.rooms.ratesOf(person)
  if (!rates.mayLoad()) throw new LoadingTooMuch(`${what} for ${person}, who has loaded as much as they may this minute`)
  return rates
}
