import { desc, eq } from 'drizzle-orm'
import { auditLog } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './pg-db.ts'
import type { AuditRecord, AuditStore } from './storage.ts'

export class PgAuditStore implements AuditStore {
  constructor(private readonly db: PgDb) {}

  async append(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db.insert(auditLog).values(entry)
  }

  async listForBoard(boardId: string, limit: number): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(eq(auditLog.boardId, boardId)).orderBy(desc(auditLog.id)).limit(limit)
  }

  async listAll(limit: number): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit)
  }
}
