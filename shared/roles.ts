/**
 * A member's role on a board. Reviewers read it, editors also change it,
 * owners also manage its members; each role holds every right of the ones
 * below it. One vocabulary for the relay, storage, access, the API's schemas
 * and the client.
 */
import { z } from 'zod'

/** From the most rights to the fewest. */
export const ROLES = ['owner', 'editor', 'reviewer'] as const

export type Role = (typeof ROLES)[number]

export const roleSchema = z.enum(ROLES)

export const ROLE_RANK: Readonly<Record<Role, number>> = { reviewer: 1, editor: 2, owner: 3 }

/** Whether `role` holds every right of `needed`; nobody without a role does. */
export function atLeast(role: Role | null, needed: Role): boolean {
  return role !== null && ROLE_RANK[role] >= ROLE_RANK[needed]
}

/** Whether the role may change the board (a reviewer only reads it). */
export function canWrite(role: Role): boolean {
  return atLeast(role, 'editor')
}
