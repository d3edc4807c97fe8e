/** The SQLite database as its stores see it: Drizzle over better-sqlite3, with the SQLite schema, and the driver's own client for what Drizzle makes costly. */
import type Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from '../../drizzle/sqlite/schema.ts'

export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/**
 * Makes every Drizzle transaction on `db` take the write lock as it begins
 * (BEGIN IMMEDIATE) unless it says otherwise. A deferred transaction that reads
 * and then writes, and meets the lock held by another connection (the WAL's
 * RESTART checkpoint, the command line), fails at once with SQLITE_BUSY:
 * SQLite cannot wait for the lock while the transaction holds a snapshot
 * another writer may be about to change. Taking the lock first, it waits
 * (busy_timeout) like a single statement does.
 */
export function withImmediateTransactions<Db extends SqliteDb>(db: Db): Db {
  const begin = db.transaction.bind(db)
  db.transaction = (run, config) => begin(run, { behavior: 'immediate', ...config })
  return db
}
