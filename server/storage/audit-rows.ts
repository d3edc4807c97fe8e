/** Which audit rows a page holds (AuditPage), and the columns of one to write, shared by the SQLite and PostgreSQL audit stores. */
import { and, eq, lt, type Column, type SQL } from 'drizzle-orm'
import type { AuditPage, NewAuditRecord } from './storage.ts'

type AuditColumns = { id: Column; action: Column; boardId: Column }

/** The condition of the page's rows, of one board when `boardId` is given; the caller orders them newest first and takes `limit`. */
export function auditPageRows(columns: AuditColumns, page: AuditPage, boardId?: string): SQL | undefined {
  return and(
    boardId === undefined ? undefined : eq(columns.boardId, boardId),
    page.before === undefined ? undefined : lt(columns.id, page.before),
    page.action === undefined ? undefined : eq(columns.action, page.action),
  )
}

/** The columns of an entry to write: what it tells other instances is no column (pg-audited.ts). */
export function auditColumns({ at, actorId, actorLabel, action, boardId, detail }: NewAuditRecord): Omit<NewAuditRecord, 'tells'> {
  return { at, actorId, actorLabel, action, boardId, detail }
}
