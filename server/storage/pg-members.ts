import { and, asc, count, eq, max, sql } from 'drizzle-orm'
import { boardInvites, boardMembers, memberDecisions, users } from '../../drizzle/pg/schema.ts'
import type { Role } from '../../shared/roles.ts'
import { inviteWithMaker } from './invite-rows.ts'
import { acceptanceMade, acceptanceWithoutChange, decisionFor, type MemberDecision } from './member-decisions.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb } from './pg-db.ts'
import { selectInvitesWithMakers } from './pg-invites.ts'
import type { InviteAcceptance, InviteRecord, InviteWithMaker, MemberChange, MemberRecord, MemberStore, MemberView, NewAuditRecord } from './storage.ts'

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

export class PgMemberStore implements MemberStore {
  constructor(private readonly db: PgDb) {}

  async role(boardId: string, userId: string): Promise<Role | undefined> {
    const [row] = await this.db.select({ role: boardMembers.role }).from(boardMembers).where(memberIs(boardId, userId))
    return row?.role as Role | undefined
  }

  async rolesOf(userId: string): Promise<Map<string, Role>> {
    const rows = await this.db.select({ boardId: boardMembers.boardId, role: boardMembers.role }).from(boardMembers).where(eq(boardMembers.userId, userId))
    return new Map(rows.map((row) => [row.boardId, row.role as Role]))
  }

  async list(boardId: string): Promise<MemberView[]> {
    const rows = await this.db
      .select({ userId: boardMembers.userId, email: users.email, name: users.name, role: boardMembers.role })
      .from(boardMembers)
      .innerJoin(users, eq(users.id, boardMembers.userId))
      .where(eq(boardMembers.boardId, boardId))
      .orderBy(asc(users.name), asc(users.email))
    return rows.map((row) => ({ ...row, role: row.role as Role }))
  }

  async add(member: MemberRecord, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const added = await addMember(tx, member)
      if (added && audited) await insertAudited(tx, audited)
      return added
    })
  }

  async setRole(boardId: string, userId: string, role: Role, allowed?: (current: Role) => boolean, audited?: NewAuditRecord): Promise<MemberChange> {
    return this.db.transaction(async (tx) => {
      const current = await lockedRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (allowed && !allowed(current)) return 'not-allowed'
      if (current === 'owner' && role !== 'owner' && (await ownerCount(tx, boardId)) <= 1) return 'last-owner'
      await tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId))
      await recordDecision(tx, boardId, userId, false)
      if (audited) await insertAudited(tx, audited)
      return 'done'
    })
  }

  async remove(boardId: string, userId: string, audited?: NewAuditRecord): Promise<MemberChange> {
    return this.db.transaction(async (tx) => {
      const current = await lockedRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (current === 'owner' && (await ownerCount(tx, boardId)) <= 1) return 'last-owner'
      await tx.delete(boardMembers).where(memberIs(boardId, userId))
      await recordDecision(tx, boardId, userId, true)
      if (audited) await insertAudited(tx, audited)
      return 'done'
    })
  }

  async acceptInvite(invite: InviteRecord, userId: string, at: string, admits: (invite: InviteWithMaker) => boolean, audited?: (from: Role | null) => NewAuditRecord): Promise<InviteAcceptance> {
    const { boardId, role } = invite
    return this.db.transaction(async (tx) => {
      // The lock setRole and remove take: a demotion of the maker waits for this acceptance, or this one sees it.
      const current = await lockedRole(tx, boardId, userId)
      const [row] = await selectInvitesWithMakers(tx).where(eq(boardInvites.tokenHash, invite.tokenHash))
      if (!row || !admits(inviteWithMaker(row))) return { outcome: 'unusable' }
      const unchanged = acceptanceWithoutChange(invite, await decisionOf(tx, boardId, userId), current)
      if (unchanged) return unchanged
      if (current === undefined) await tx.insert(boardMembers).values({ boardId, userId, role, addedAt: at })
      else await tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId))
      if (audited) await insertAudited(tx, audited(current ?? null))
      return acceptanceMade(current)
    })
  }
}

/** Adds a member within `tx`, as MemberStore.add does: a new board's owner is added in the transaction that makes the board. */
export async function addMember(tx: Tx, member: MemberRecord): Promise<boolean> {
  // Under the lock, so an invite's acceptance that found no membership is not beaten to the insert.
  await lockMembers(tx, member.boardId)
  const inserted = await tx.insert(boardMembers).values(member).onConflictDoNothing().returning({ userId: boardMembers.userId })
  if (inserted.length === 1) await recordDecision(tx, member.boardId, member.userId, false)
  return inserted.length === 1
}

const memberIs = (boardId: string, userId: string) => and(eq(boardMembers.boardId, boardId), eq(boardMembers.userId, userId))
const decisionIs = (boardId: string, userId: string) => and(eq(memberDecisions.boardId, boardId), eq(memberDecisions.userId, userId))

async function decisionOf(tx: Tx, boardId: string, userId: string): Promise<MemberDecision | undefined> {
  const [row] = await tx.select({ removed: memberDecisions.removed, linksUpTo: memberDecisions.linksUpTo }).from(memberDecisions).where(decisionIs(boardId, userId))
  return row
}

/**
 * Records an owner's decision about a member, in place of any earlier one, with
 * the newest link the board has now; the caller holds the board's membership
 * lock, which acceptances take too.
 */
async function recordDecision(tx: Tx, boardId: string, userId: string, removed: boolean): Promise<void> {
  const [newest] = await tx.select({ at: max(boardInvites.createdAt) }).from(boardInvites).where(eq(boardInvites.boardId, boardId))
  const decision = decisionFor(removed, newest?.at ?? null)
  await tx
    .insert(memberDecisions)
    .values({ boardId, userId, ...decision })
    .onConflictDoUpdate({ target: [memberDecisions.boardId, memberDecisions.userId], set: decision })
}

/**
 * The member's role, read under a per-board lock: two owners demoting each
 * other at once must not leave the board with none.
 */
async function lockedRole(tx: Tx, boardId: string, userId: string): Promise<Role | undefined> {
  await lockMembers(tx, boardId)
  const [row] = await tx.select({ role: boardMembers.role }).from(boardMembers).where(memberIs(boardId, userId))
  return row?.role as Role | undefined
}

/** Holds the board's membership lock until the transaction ends. */
async function lockMembers(tx: Tx, boardId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'assay-board-members:' + boardId}))`)
}

async function ownerCount(tx: Tx, boardId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(boardMembers)
    .where(and(eq(boardMembers.boardId, boardId), eq(boardMembers.role, 'owner')))
  return row?.n ?? 0
}
