/**
 * Refusing an API token what only a signed-in person may do: whatever grants
 * access (an account, a password, admin rights, a board's membership or a
 * higher role on it) would otherwise outlive a leaked token's revocation.
 */
import type { Principal } from '../access/access.ts'
import { ApiError } from './errors.ts'

/** Throws 403 session_required unless the principal signed in with a session; `signInAs` names who should, e.g. "the admin". */
export function requireSession(principal: Principal, what: string, signInAs: string): void {
  if (principal.via !== 'session') {
    throw new ApiError(403, 'session_required', `An API token cannot ${what}: sign in as ${signInAs} to do it.`)
  }
}
