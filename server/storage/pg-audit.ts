import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { auditLog } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './pg-db.ts'
import type { AuditPage, AuditRecord, AuditStore } from './storage.ts'

export class PgAuditStore implements AuditStore {
  constructor(private readonly db: PgDb) {}

  async append(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db.insert(auditLog).values(entry)
  }

  async listForBoard(boardId: string, page: AuditPage): Promise<AuditRecord[]> {
    return this.list(page, eq(auditLog.boardId, boardId))
  }

  async listAll(page: AuditPage): Promise<AuditRecord[]> {
    return this.list(page)
  }

  private async list(page: AuditPage, board?: SQL): Promise<AuditRecord[]> {
    const before = page.before === undefined ? undefined : lt(auditLog.id, page.before)
    const action = page.action === undefined ? undefined : eq(auditLog.action, page.action)
    return this.db.select().from(auditLog).where(and(board, before, action)).orderBy(desc(auditLog.id)).limit(page.limit)
  }
}
