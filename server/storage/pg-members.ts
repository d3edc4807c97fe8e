import { and, asc, count, eq, sql } from 'drizzle-orm'
import { boardInvites, boardMembers, boardRemovals, users } from '../../drizzle/pg/schema.ts'
import { atLeast, type Role } from '../../shared/roles.ts'
import { inviteWithMaker } from './invite-rows.ts'
import type { PgDb } from './pg-db.ts'
import { selectInvitesWithMakers } from './pg-invites.ts'
import type { InviteAcceptance, InviteRecord, InviteWithMaker, MemberChange, MemberRecord, MemberStore, MemberView } from './storage.ts'

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

  async add(member: MemberRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Under the lock, so an invite's acceptance that found no membership is not beaten to the insert.
      await lockMembers(tx, member.boardId)
      const inserted = await tx.insert(boardMembers).values(member).onConflictDoNothing().returning({ userId: boardMembers.userId })
      await tx.delete(boardRemovals).where(removalIs(member.boardId, member.userId))
      return inserted.length === 1
    })
  }

  async setRole(boardId: string, userId: string, role: Role, allowed?: (current: Role) => boolean): Promise<MemberChange> {
    return this.db.transaction(async (tx) => {
      const current = await lockedRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (allowed && !allowed(current)) return 'not-allowed'
      if (current === 'owner' && role !== 'owner' && (await ownerCount(tx, boardId)) <= 1) return 'last-owner'
      await tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId))
      return 'done'
    })
  }

  async remove(boardId: string, userId: string): Promise<MemberChange> {
    return this.db.transaction(async (tx) => {
      const current = await lockedRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (current === 'owner' && (await ownerCount(tx, boardId)) <= 1) return 'last-owner'
      await tx.delete(boardMembers).where(memberIs(boardId, userId))
      await tx.insert(boardRemovals).values({ boardId, userId }).onConflictDoNothing()
      return 'done'
    })
  }

  async acceptInvite(invite: InviteRecord, userId: string, at: string, admits: (invite: InviteWithMaker) => boolean): Promise<InviteAcceptance> {
    const { boardId, role } = invite
    return this.db.transaction(async (tx) => {
      // The lock setRole and remove take: a demotion of the maker waits for this acceptance, or this one sees it.
      const current = await lockedRole(tx, boardId, userId)
      const [row] = await selectInvitesWithMakers(tx).where(eq(boardInvites.tokenHash, invite.tokenHash))
      if (!row || !admits(inviteWithMaker(row))) return { outcome: 'unusable' }
      if ((await tx.select({ userId: boardRemovals.userId }).from(boardRemovals).where(removalIs(boardId, userId))).length > 0) return { outcome: 'removed' }
      if (current !== undefined && atLeast(current, role)) return { outcome: 'kept', role: current }
      if (current === undefined) {
        await tx.insert(boardMembers).values({ boardId, userId, role, addedAt: at })
        return { outcome: 'joined' }
      }
      await tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId))
      return { outcome: 'raised', from: current }
    })
  }
}

const memberIs = (boardId: string, userId: string) => and(eq(boardMembers.boardId, boardId), eq(boardMembers.userId, userId))
const removalIs = (boardId: string, userId: string) => and(eq(boardRemovals.boardId, boardId), eq(boardRemovals.userId, userId))

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
