import { and, desc, eq, gt, lt } from 'drizzle-orm'
import { auditLog, boardInvites, boardMembers, users } from '../../drizzle/sqlite/schema.ts'
import { auditColumns } from './audit-rows.ts'
import { inviteRecord, inviteWithMaker } from './invite-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { InviteRecord, InviteStore, InviteWithMaker, NewAuditRecord } from './storage.ts'

export class SqliteInviteStore implements InviteStore {
  constructor(private readonly db: SqliteDb) {}

  async create(invite: InviteRecord, audited?: NewAuditRecord): Promise<void> {
    this.db.transaction((tx) => {
      tx.insert(boardInvites).values(invite).run()
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
    })
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const row = this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash)).get()
    return row ? inviteRecord(row) : undefined
  }

  async listForBoard(boardId: string, now: string): Promise<InviteRecord[]> {
    const rows = this.db
      .select()
      .from(boardInvites)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
      .all()
    return rows.map(inviteRecord)
  }

  async listWithMakers(boardId: string, now: string): Promise<InviteWithMaker[]> {
    const rows = selectInvitesWithMakers(this.db)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
      .all()
    return rows.map(inviteWithMaker)
  }

  async delete(boardId: string, id: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction((tx) => {
      const deleted = tx.delete(boardInvites).where(and(eq(boardInvites.boardId, boardId), eq(boardInvites.id, id))).run().changes === 1
      if (deleted && audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return deleted
    })
  }

  async deleteExpired(now: string): Promise<number> {
    return this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).run().changes
  }
}

type Tx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0]

/** Invites left-joined with their makers' accounts and memberships of the invite's board: rows for `inviteWithMaker`. */
export function selectInvitesWithMakers(db: SqliteDb | Tx) {
  return db
    .select({
      invite: boardInvites,
      maker: { id: users.id, name: users.name, isAdmin: users.isAdmin, deactivatedAt: users.deactivatedAt },
      makerRole: boardMembers.role,
    })
    .from(boardInvites)
    .leftJoin(users, eq(users.id, boardInvites.createdBy))
    .leftJoin(boardMembers, and(eq(boardMembers.boardId, boardInvites.boardId), eq(boardMembers.userId, boardInvites.createdBy)))
}
