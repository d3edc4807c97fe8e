/** A request that spends one of its caller's hourly allowance (sign-ins, boards created, snapshots made, comments written, exports), or is refused before it does anything. */
import type { Principal } from '../access/access.ts'
import type { HourlyAllowance } from '../access/hourly-allowance.ts'
import { ApiError } from './errors.ts'

/** Counts one for the caller, or throws `429 rate_limited` saying when to try again; `done` says what they did, e.g. "created as many boards". */
export async function spendAllowance(allowance: HourlyAllowance, principal: Principal, done: string): Promise<void> {
  if (!(await allowance.take(principal))) throw spent(allowance, done)
}

/** What givenBackOnFailure gives back (one by default), and for which failures (every one by default). */
export type GivingBack = { amount?: number; onlyFor?: (error: unknown) => boolean }

/**
 * Runs `act` after spendAllowance (or another take of `amount`) has counted it,
 * giving that back should `act` fail: a request that stored nothing (a full
 * disk, a database refusing) costs nothing, and the person is not refused once
 * storage has room again. Counted before and given back after, not counted
 * after: requests sent at once each count while they are under way.
 */
export async function givenBackOnFailure<T>(allowance: HourlyAllowance, principal: Principal, act: () => Promise<T>, giving: GivingBack = {}): Promise<T> {
  try {
    return await act()
  } catch (error) {
    if (giving.onlyFor?.(error) ?? true) await allowance.giveBack(principal, giving.amount)
    throw error
  }
}

/** Throws as spendAllowance would, counting nothing: for work to refuse before it is done and counted only once it succeeds. */
export async function ensureAllowance(allowance: HourlyAllowance, principal: Principal, done: string): Promise<void> {
  if (!(await allowance.allows(principal))) throw spent(allowance, done)
}

/**
 * Counts a change of who may do what (an invite link made or revoked, a member
 * added, changed or removed, an API token made or revoked, a board archived or
 * brought back) against ACCESS_CHANGES_PER_HOUR_PER_PERSON: each is an audit
 * entry, and a loop of invite links made and revoked wrote 462 a second.
 */
export async function spendAccessChange(services: { allowances: { accessChanges: HourlyAllowance } }, principal: Principal): Promise<void> {
  await spendAllowance(services.allowances.accessChanges, principal, 'changed invite links, members, API tokens or archiving as many times')
}

function spent(allowance: HourlyAllowance, done: string): ApiError {
  const seconds = allowance.retryAfterSeconds()
  return new ApiError(429, 'rate_limited', `You have ${done} as you may for now. Try again in ${seconds} s.`, seconds)
}

/**
 * Runs a change made in a worker thread's copy of the board (an import, a
 * restore), counting the client id that copy writes under against the
 * person's NEW_CLIENTS_PER_HOUR (the allowance their pages' new ids spend, in
 * hourly-allowance.ts) before it is asked for: such an id is drawn fresh for
 * every change, stored as the server's and never trimmed
 * (server-client-ids.ts), and so grows every state vector of the board for
 * good; an editor's tiny imports added some 500 in 70 s, bounded only by the
 * byte allowances (red team 32b). Given back when the change failed or
 * `wroteUnderOne` says it wrote nothing (an import that found nothing new, a
 * restore of what the board already holds).
 */
export async function countedServerClientId<T>(
  allowances: { newClients: HourlyAllowance },
  principal: Principal,
  change: () => Promise<T>,
  wroteUnderOne: (result: T) => boolean,
): Promise<T> {
  const { newClients } = allowances
  await spendAllowance(newClients, principal, 'imported and restored, with the new client ids your pages brought, as many times')
  const result = await givenBackOnFailure(newClients, principal, change)
  if (!wroteUnderOne(result)) await newClients.giveBack(principal)
  return result
}
