/**
 * An owner's decision about a member outranks the invite links made before it,
 * the rule both member stores apply inside an acceptance's transaction. A
 * removal refuses every link until an owner adds the person back; an owner
 * adding someone or setting their role stops the links the board had then from
 * raising them, while a link made afterwards, the owners' later intent, still
 * does. Without this, a demoted editor accepted their old editor link again and
 * was an editor once more.
 */
import { atLeast, type Role } from '../../shared/roles.ts'
import type { InviteAcceptance, InviteRecord } from './storage.ts'

/** A member_decisions row: `linksUpTo` is the newest link's creation time when the decision was made (null: the board had none). */
export type MemberDecision = { removed: boolean; linksUpTo: string | null }

/** The decision to record: a removal outranks every link, any other decision the links made up to the newest one now. */
export const decisionFor = (removed: boolean, newestLink: string | null): MemberDecision => ({ removed, linksUpTo: removed ? null : newestLink })

/**
 * What an acceptance of `invite` comes to without writing anything, from the
 * person's decision and role read in the transaction: undefined when it joins
 * them or raises their role. `current`: their role now, undefined if none.
 */
export function acceptanceWithoutChange(invite: InviteRecord, decision: MemberDecision | undefined, current: Role | undefined): InviteAcceptance | undefined {
  if (decision?.removed) return { outcome: 'removed' }
  if (current === undefined) return undefined
  if (atLeast(current, invite.role)) return { outcome: 'kept', role: current }
  // Times are ISO 8601 UTC strings, which compare as text.
  const linksUpTo = decision?.linksUpTo ?? null
  if (linksUpTo !== null && invite.createdAt <= linksUpTo) return { outcome: 'set-by-owner', role: current }
  return undefined
}

/** What an acceptance that wrote comes to: the person joined, or raised from `current`. */
export const acceptanceMade = (current: Role | undefined): InviteAcceptance => (current === undefined ? { outcome: 'joined' } : { outcome: 'raised', from: current })
