import type { AccessChange } from './storage.ts'

/** Whether the change leaves its account without admin rights: made not an admin, or deactivated. */
export function endsAdminRights(change: AccessChange): boolean {
  return change.isAdmin === false || (change.deactivatedAt !== undefined && change.deactivatedAt !== null)
}
