import { and, desc, eq, gt, lt } from 'drizzle-orm'
import { boardInvites } from '../../drizzle/sqlite/schema.ts'
import type { Role } from '../../shared/roles.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { InviteRecord, InviteStore } from './storage.ts'

export class SqliteInviteStore implements InviteStore {
  constructor(private readonly db: SqliteDb) {}

  async create(invite: InviteRecord): Promise<void> {
    this.db.insert(boardInvites).values(invite).run()
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const row = this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash)).get()
    return row ? toRecord(row) : undefined
  }

  async listForBoard(boardId: string, now: string): Promise<InviteRecord[]> {
    const rows = this.db
      .select()
      .from(boardInvites)
      .where(and(eq(boardInvites.boardId, boardId), gt(boardInvites.expiresAt, now)))
      .orderBy(desc(boardInvites.createdAt), desc(boardInvites.id))
      .all()
    return rows.map(toRecord)
  }

  async delete(boardId: string, id: string): Promise<boolean> {
    return this.db.delete(boardInvites).where(and(eq(boardInvites.boardId, boardId), eq(boardInvites.id, id))).run().changes === 1
  }

  async deleteExpired(now: string): Promise<number> {
    return this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).run().changes
  }
}

const toRecord = (row: typeof boardInvites.$inferSelect): InviteRecord => ({ ...row, role: row.role as Role })
