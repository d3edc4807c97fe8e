import { desc } from 'drizzle-orm'
import { auditLog } from '../../drizzle/sqlite/schema.ts'
import { auditPageRows, auditColumns } from './audit-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { AuditPage, AuditRecord, AuditStore, NewAuditRecord } from './storage.ts'

export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: SqliteDb) {}

  async append(entry: NewAuditRecord): Promise<void> {
    this.db.insert(auditLog).values(auditColumns(entry)).run()
  }

  async listForBoard(boardId: string, page: AuditPage): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(auditPageRows(auditLog, page, boardId)).orderBy(desc(auditLog.id)).limit(page.limit).all()
  }

  async listAll(page: AuditPage): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(auditPageRows(auditLog, page)).orderBy(desc(auditLog.id)).limit(page.limit).all()
  }
}
