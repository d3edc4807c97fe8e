/** The SQLite database as its stores see it: Drizzle over better-sqlite3, with the SQLite schema, and the driver's own client for what Drizzle makes costly. */
import type Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from '../../drizzle/sqlite/schema.ts'

export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** How long a connection waits for the write lock: the relay's commits retry past it (COMMIT_RETRY_MAX_MS). */
export const BUSY_TIMEOUT_MS = 5000

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

/**
 * Runs `check` as each write on `db` is built (an insert, update or delete
 * outside a transaction) and as each transaction begins: a check that throws
 * refuses the write before SQLite sees it. A statement prepared once and run
 * many times is checked as it is built, not as it runs: the relay's commits
 * (the driver's own statements) are checked by their store.
 */
export function withWriteChecks<Db extends SqliteDb>(db: Db, check: () => void): Db {
  const insert = db.insert.bind(db)
  const update = db.update.bind(db)
  const remove = db.delete.bind(db)
  const begin = db.transaction.bind(db)
  db.insert = ((table) => {
    check()
    return insert(table)
  }) as Db['insert']
  db.update = ((table) => {
    check()
    return update(table)
  }) as Db['update']
  db.delete = ((table) => {
    check()
    return remove(table)
  }) as Db['delete']
  db.transaction = (run, config) => {
    check()
    return begin(run, config)
  }
  return db
}
