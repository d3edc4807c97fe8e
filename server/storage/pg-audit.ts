import { desc } from 'drizzle-orm'
import { auditLog } from '../../drizzle/pg/schema.ts'
import { auditPageRows } from './audit-rows.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb } from './pg-db.ts'
import type { AuditPage, AuditRecord, AuditStore, NewAuditRecord } from './storage.ts'

export class PgAuditStore implements AuditStore {
  constructor(private readonly db: PgDb) {}

  async append(entry: NewAuditRecord): Promise<void> {
    await insertAudited(this.db, entry)
  }

  async listForBoard(boardId: string, page: AuditPage): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(auditPageRows(auditLog, page, boardId)).orderBy(desc(auditLog.id)).limit(page.limit)
  }

  async listAll(page: AuditPage): Promise<AuditRecord[]> {
    return this.db.select().from(auditLog).where(auditPageRows(auditLog, page)).orderBy(desc(auditLog.id)).limit(page.limit)
  }
}
