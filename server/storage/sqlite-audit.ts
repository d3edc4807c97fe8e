import { desc, eq } from 'drizzle-orm'
import { auditLog } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { AuditRecord, AuditStore } from './storage.ts'

export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: SqliteDb) {}

  async append(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    this.db.insert(auditLog).values(entry).run()
  }

  async listForBoard(boardId: string, limit: number): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(eq(auditLog.boardId, boardId)).orderBy(desc(auditLog.id)).limit(limit).all()
  }

  async listAll(limit: number): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all()
  }
}
