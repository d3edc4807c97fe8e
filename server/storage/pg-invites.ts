import { and, desc, eq, gt, lt } from 'drizzle-orm'
import { boardInvites, boardMembers, users } from '../../drizzle/pg/schema.ts'
import { inviteRecord, inviteWithMaker } from './invite-rows.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb } from './pg-db.ts'
import type { InviteRecord, InviteStore, InviteWithMaker, NewAuditRecord } from './storage.ts'

export class PgInviteStore implements InviteStore {
  constructor(private readonly db: PgDb) {}

  async create(invite: InviteRecord, audited?: NewAuditRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(boardInvites).values(invite)
      if (audited) await insertAudited(tx, audited)
    })
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const [row] = await this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash))
    return row ? inviteRecord(row) : undefined
  }

  async listForBoard(boardId: string, now: string): Promise<InviteRecord[]> {
    const rows = await this.db
      .select()
      .from(boardInvites)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
    return rows.map(inviteRecord)
  }

  async listWithMakers(boardId: string, now: string): Promise<InviteWithMaker[]> {
    const rows = await selectInvitesWithMakers(this.db)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
    return rows.map(inviteWithMaker)
  }

  async delete(boardId: string, id: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(boardInvites)
        .where(and(eq(boardInvites.boardId, boardId), eq(boardInvites.id, id)))
        .returning({ id: boardInvites.id })
      if (deleted.length === 1 && audited) await insertAudited(tx, audited)
      return deleted.length === 1
    })
  }

  async deleteExpired(now: string): Promise<number> {
    const deleted = await this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).returning({ tokenHash: boardInvites.tokenHash })
    return deleted.length
  }
}

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/** Invites left-joined with their makers' accounts and memberships of the invite's board: rows for `inviteWithMaker`. */
export function selectInvitesWithMakers(db: PgDb | Tx) {
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
