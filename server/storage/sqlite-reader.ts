/**
 * Inside a worker thread: the SQLite database file opened read-only, with a
 * connection of the thread's own, once per thread. better-sqlite3 answers
 * synchronously, so a read of tens of thousands of log rows on the relay's
 * connection holds the thread every board's edits pass through; in WAL mode a
 * second connection reads beside the relay's writes without waiting for them,
 * each statement seeing what was committed when it began.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../../drizzle/sqlite/schema.ts'
import { BUSY_TIMEOUT_MS } from './sqlite-db.ts'
import { SqliteHistoryStore } from './sqlite-history.ts'

const opened = new Map<string, SqliteHistoryStore>()

/** The history of the database at `file`, read through this thread's read-only connection. */
export function readOnlyHistory(file: string): SqliteHistoryStore {
  let history = opened.get(file)
  if (!history) {
    const client = new Database(file, { readonly: true, fileMustExist: true })
    client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // As the server's own connection: what the schema holds runs with no side effects of its own.
    client.pragma('trusted_schema = OFF')
    history = new SqliteHistoryStore(drizzle({ client, schema }))
    opened.set(file, history)
  }
  return history
}
