/**
 * A database that refuses some writes to one table, as a statement cut off by
 * its timeout, a connection cut or a full disk would: a trigger put into the
 * server's own database (SQLite file or PostgreSQL), failing them until taken
 * away. On PostgreSQL it fails with the SQLSTATE given, which the server takes
 * for storage trouble (503); a SQLite trigger can fail a statement only as a
 * constraint does (SQLITE_CONSTRAINT_TRIGGER), which the server answers with 500.
 */
import { onServerDatabase, type ServerDatabase } from './server-database.ts'

export type RefusedWrites = {
  table: string
  statement: 'insert' | 'delete'
  /** PostgreSQL's SQLSTATE for the failure, e.g. 57014 (statement timeout) or 53100 (disk full). */
  sqlstate: string
  message: string
  /** Only the rows whose `column` is `value`; every statement on the table without. */
  only?: { column: string; value: string }
}

/** Fails the writes `refused` names until the returned function is called. */
export async function refuseWrites(server: ServerDatabase, refused: RefusedWrites): Promise<() => Promise<void>> {
  const { table, statement, sqlstate, message, only } = refused
  const trigger = `zz_refuse_${statement}_${table}`
  const row = statement === 'delete' ? 'old' : 'new'
  const when = only ? `${row}.${only.column} = '${only.value}'` : null
  if (server.config.DATABASE_URL) {
    await onServerDatabase(server, [
      `create function ${trigger}() returns trigger language plpgsql as $$ begin raise exception '${message}' using errcode = '${sqlstate}'; end $$`,
      `create trigger ${trigger} before ${statement} on ${table} ${when ? `for each row when (${when})` : 'for each statement'} execute function ${trigger}()`,
    ])
    return async () => {
      await onServerDatabase(server, [`drop trigger ${trigger} on ${table}`, `drop function ${trigger}()`])
    }
  }
  await onServerDatabase(server, [`create trigger ${trigger} before ${statement} on ${table} ${when ? `when ${when} ` : ''}begin select raise(abort, '${message}'); end`])
  return async () => {
    await onServerDatabase(server, [`drop trigger ${trigger}`])
  }
}

/** Inserts into `table` (only those whose column is the value given) failing as PostgreSQL fails on a full disk. */
export function refuseInserts(server: ServerDatabase, table: string, only?: { column: string; value: string }): Promise<() => Promise<void>> {
  return refuseWrites(server, { table, statement: 'insert', sqlstate: '53100', message: 'could not extend file: No space left on device', only })
}

/** The audit entries of `action` refused as refuseInserts refuses. */
export function refuseAuditEntries(server: ServerDatabase, action: string): Promise<() => Promise<void>> {
  return refuseInserts(server, 'audit_log', { column: 'action', value: action })
}
