import { and, asc, count, eq, max, sql } from 'drizzle-orm'
import { auditLog, boardInvites, boardMembers, memberDecisions, users } from '../../drizzle/sqlite/schema.ts'
import type { Role } from '../../shared/roles.ts'
import { auditColumns } from './audit-rows.ts'
import { inviteWithMaker } from './invite-rows.ts'
import { acceptanceMade, acceptanceWithoutChange, decisionFor, type MemberDecision } from './member-decisions.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { selectInvitesWithMakers } from './sqlite-invites.ts'
import type { InviteAcceptance, InviteRecord, InviteWithMaker, MemberChange, MemberRecord, MemberStore, MemberView, NewAuditRecord } from './storage.ts'

type Tx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0]

export class SqliteMemberStore implements MemberStore {
  /** Every upgrade and board request asks for a role: prepared once. */
  private readonly roleOf

  constructor(private readonly db: SqliteDb) {
    this.roleOf = db
      .select({ role: boardMembers.role })
      .from(boardMembers)
      .where(and(eq(boardMembers.boardId, sql.placeholder('boardId')), eq(boardMembers.userId, sql.placeholder('userId'))))
      .prepare()
  }

  async role(boardId: string, userId: string): Promise<Role | undefined> {
    return this.roleOf.get({ boardId, userId })?.role as Role | undefined
  }

  async rolesOf(userId: string): Promise<Map<string, Role>> {
    const rows = this.db.select({ boardId: boardMembers.boardId, role: boardMembers.role }).from(boardMembers).where(eq(boardMembers.userId, userId)).all()
    return new Map(rows.map((row) => [row.boardId, row.role as Role]))
  }

  async list(boardId: string): Promise<MemberView[]> {
    const rows = this.db
      .select({ userId: boardMembers.userId, email: users.email, name: users.name, role: boardMembers.role })
      .from(boardMembers)
      .innerJoin(users, eq(users.id, boardMembers.userId))
      .where(eq(boardMembers.boardId, boardId))
      .orderBy(asc(users.name), asc(users.email))
      .all()
    return rows.map((row) => ({ ...row, role: row.role as Role }))
  }

  async add(member: MemberRecord, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction((tx) => {
      const added = addMember(tx, member)
      if (added && audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return added
    })
  }

  async setRole(boardId: string, userId: string, role: Role, allowed?: (current: Role) => boolean, audited?: NewAuditRecord): Promise<MemberChange> {
    // Synchronous transaction: the owner count cannot change between the check and the write.
    return this.db.transaction((tx) => {
      const current = currentRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (allowed && !allowed(current)) return 'not-allowed'
      if (current === 'owner' && role !== 'owner' && ownerCount(tx, boardId) <= 1) return 'last-owner'
      tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId)).run()
      recordDecision(tx, boardId, userId, false)
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return 'done'
    })
  }

  async remove(boardId: string, userId: string, audited?: NewAuditRecord): Promise<MemberChange> {
    return this.db.transaction((tx) => {
      const current = currentRole(tx, boardId, userId)
      if (!current) return 'not-member'
      if (current === 'owner' && ownerCount(tx, boardId) <= 1) return 'last-owner'
      tx.delete(boardMembers).where(memberIs(boardId, userId)).run()
      recordDecision(tx, boardId, userId, true)
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return 'done'
    })
  }

  async acceptInvite(invite: InviteRecord, userId: string, at: string, admits: (invite: InviteWithMaker) => boolean, audited?: (from: Role | null) => NewAuditRecord): Promise<InviteAcceptance> {
    const { boardId, role } = invite
    // Synchronous transaction: nothing changes the maker's right between the check and the write.
    return this.db.transaction((tx): InviteAcceptance => {
      const row = selectInvitesWithMakers(tx).where(eq(boardInvites.tokenHash, invite.tokenHash)).get()
      if (!row || !admits(inviteWithMaker(row))) return { outcome: 'unusable' }
      const current = currentRole(tx, boardId, userId)
      const unchanged = acceptanceWithoutChange(invite, decisionOf(tx, boardId, userId), current)
      if (unchanged) return unchanged
      if (current === undefined) tx.insert(boardMembers).values({ boardId, userId, role, addedAt: at }).run()
      else tx.update(boardMembers).set({ role }).where(memberIs(boardId, userId)).run()
      if (audited) tx.insert(auditLog).values(auditColumns(audited(current ?? null))).run()
      return acceptanceMade(current)
    })
  }
}

/** Adds a member within `tx`, as MemberStore.add does: a new board's owner is added in the transaction that makes the board. */
export function addMember(tx: Tx, member: MemberRecord): boolean {
  const added = tx.insert(boardMembers).values(member).onConflictDoNothing().run().changes === 1
  if (added) recordDecision(tx, member.boardId, member.userId, false)
  return added
}

const memberIs = (boardId: string, userId: string) => and(eq(boardMembers.boardId, boardId), eq(boardMembers.userId, userId))
const decisionIs = (boardId: string, userId: string) => and(eq(memberDecisions.boardId, boardId), eq(memberDecisions.userId, userId))

function decisionOf(tx: Tx, boardId: string, userId: string): MemberDecision | undefined {
  return tx.select({ removed: memberDecisions.removed, linksUpTo: memberDecisions.linksUpTo }).from(memberDecisions).where(decisionIs(boardId, userId)).get()
}

/** Records an owner's decision about a member, in place of any earlier one, with the newest link the board has now. */
function recordDecision(tx: Tx, boardId: string, userId: string, removed: boolean): void {
  const newest = tx.select({ at: max(boardInvites.createdAt) }).from(boardInvites).where(eq(boardInvites.boardId, boardId)).get()
  const decision = decisionFor(removed, newest?.at ?? null)
  tx.insert(memberDecisions)
    .values({ boardId, userId, ...decision })
    .onConflictDoUpdate({ target: [memberDecisions.boardId, memberDecisions.userId], set: decision })
    .run()
}

function currentRole(db: SqliteDb | Tx, boardId: string, userId: string): Role | undefined {
  const row = db.select({ role: boardMembers.role }).from(boardMembers).where(memberIs(boardId, userId)).get()
  return row?.role as Role | undefined
}

function ownerCount(tx: Tx, boardId: string): number {
  const row = tx
    .select({ n: count() })
    .from(boardMembers)
    .where(and(eq(boardMembers.boardId, boardId), eq(boardMembers.role, 'owner')))
    .get()
  return row?.n ?? 0
}
