/**
 * Inside a worker thread: the SQLite database file opened read-only, with a
 * connection of the thread's own, once per thread. better-sqlite3 answers
 * synchronously, so a read of tens of thousands of log rows on the relay's
 * connection holds the thread every board's edits pass through; in WAL mode a
 * second connection reads beside the relay's writes without waiting for them,
 * each statement seeing what was committed when it began.
 *
 * A connection reads the file it opened, even once another has taken its
 * path: it is opened again when the file at the path is no longer the one it
 * opened (device and inode). `assay restore` is refused while a server serves
 * the database, so a server's own threads never meet that; a thread outliving
 * its server's storage (a process that opens a database again) does.
 */
import { statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../../drizzle/sqlite/schema.ts'
import { BUSY_TIMEOUT_MS } from './sqlite-db.ts'
import { SqliteHistoryStore } from './sqlite-history.ts'

type Opened = { identity: string; client: Database.Database; history: SqliteHistoryStore }

const opened = new Map<string, Opened>()

/** Which file is at `file` now: its device and inode. */
function identityOf(file: string): string {
  const { dev, ino } = statSync(file, { bigint: true })
  return `${dev}:${ino}`
}

/** The history of the database at `file`, read through this thread's read-only connection to the file there now. */
export function readOnlyHistory(file: string): SqliteHistoryStore {
  const identity = identityOf(file)
  const known = opened.get(file)
  if (known?.identity === identity) return known.history
  known?.client.close()
  opened.delete(file)
  const client = new Database(file, { readonly: true, fileMustExist: true })
  client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // As the server's own connection: what the schema holds runs with no side effects of its own.
  client.pragma('trusted_schema = OFF')
  const history = new SqliteHistoryStore(drizzle({ client, schema }))
  opened.set(file, { identity, client, history })
  return history
}
