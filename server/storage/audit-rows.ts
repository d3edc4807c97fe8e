/** Which audit rows a page holds (AuditPage), shared by the SQLite and PostgreSQL audit stores. */
import { and, eq, lt, type Column, type SQL } from 'drizzle-orm'
import type { AuditPage } from './storage.ts'

type AuditColumns = { id: Column; action: Column; boardId: Column }

/** The condition of the page's rows, of one board when `boardId` is given; the caller orders them newest first and takes `limit`. */
export function auditPageRows(columns: AuditColumns, page: AuditPage, boardId?: string): SQL | undefined {
  return and(
    boardId === undefined ? undefined : eq(columns.boardId, boardId),
    page.before === undefined ? undefined : lt(columns.id, page.before),
    page.action === undefined ? undefined : eq(columns.action, page.action),
  )
}
