import { and, desc, eq, gt, lt } from 'drizzle-orm'
import { boardInvites } from '../../drizzle/pg/schema.ts'
import type { Role } from '../../shared/roles.ts'
import type { PgDb } from './pg-db.ts'
import type { InviteRecord, InviteStore } from './storage.ts'

export class PgInviteStore implements InviteStore {
  constructor(private readonly db: PgDb) {}

  async create(invite: InviteRecord): Promise<void> {
    await this.db.insert(boardInvites).values(invite)
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const [row] = await this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash))
    return row ? toRecord(row) : undefined
  }

  async listForBoard(boardId: string, now: string): Promise<InviteRecord[]> {
    const rows = await this.db
      .select()
      .from(boardInvites)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
    return rows.map(toRecord)
  }

  async delete(boardId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(boardInvites)
      .where(and(eq(boardInvites.boardId, boardId), eq(boardInvites.id, id)))
      .returning({ id: boardInvites.id })
    return deleted.length === 1
  }

  async deleteExpired(now: string): Promise<number> {
    const deleted = await this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).returning({ tokenHash: boardInvites.tokenHash })
    return deleted.length
  }
}

const toRecord = (row: typeof boardInvites.$inferSelect): InviteRecord => ({ ...row, role: row.role as Role })
