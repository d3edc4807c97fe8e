import type { Principal } from '../access/access.ts'

/** Who made a snapshot or wrote a review entry, as stored with it. */
export type Actor = { id: string | null; name: string }

export function actorOf(principal: Principal): Actor {
  return { id: principal.userId, name: principal.name }
}

/**
 * The id review rows are keyed by. Without accounts (open access) a principal
 * has no user id: its name stands in, so one person's verdict still replaces
 * their earlier one rather than adding another.
 */
export function reviewerId(principal: Principal): string {
  return principal.userId ?? `local:${principal.name}`
}

/** Who gives a verdict or a sign-off, and when: what every such review record says of its reviewer. */
export function reviewerStamp(principal: Principal): { reviewerId: string; reviewerName: string; createdAt: string } {
  return { reviewerId: reviewerId(principal), reviewerName: principal.name, createdAt: new Date().toISOString() }
}
