/**
 * A database that refuses to delete from one table, as a statement cut off
 * by its timeout, a connection cut or a full disk would: every delete there
 * fails with PostgreSQL's statement-timeout error, until allowed again.
 */
import { refuseWrites } from './refused-writes.ts'
import type { ServerDatabase } from './server-database.ts'

/** Fails every delete from `table` until the returned function is called. */
export function refuseDeletes(server: ServerDatabase, table: string): Promise<() => Promise<void>> {
  return refuseWrites(server, { table, statement: 'delete', sqlstate: '57014', message: 'canceling statement due to statement timeout' })
}
