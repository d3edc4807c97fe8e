/**
 * Whether another process has the SQLite database open: the second guard of a
 * command that writes boards, behind the serving lock. The lock lives on the
 * file `assay-serving.lock` names; once that file is deleted under a running
 * server (a clean-up of a "stale" lock), a command creates a new one and takes
 * it uncontested, until the server notices and takes the new file too
 * (sqlite-serving-lock.ts). A server keeps the database open in WAL mode, which
 * holds a SHARED lock on the database file for as long as it is open, so a
 * connection in EXCLUSIVE locking mode, which must lock the file alone to read
 * it, is refused at once while any other process has it open.
 */
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'

/** True while another process (or another connection of this one) has the database at `path` open; false when nobody has, it does not exist yet, or it is not a database SQLite can read. */
export function sqliteOpenElsewhere(path: string): boolean {
  if (!existsSync(path) || !isDatabase(path)) return false
  const client = new Database(path, { timeout: 0, fileMustExist: true })
  try {
    client.pragma('locking_mode = EXCLUSIVE')
    client.prepare('select count(*) from sqlite_master').get()
    return false
  } catch (error) {
    if (error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code)) return true
    throw error
  } finally {
    client.close()
  }
}

/**
 * Whether SQLite reads the file as a database, asked read-only: a connection that can write deletes a -wal beside a
 * file that is not a database as it closes, and `assay restore` moves such a file aside with its files as they were.
 * One SQLite cannot read no server serves; the command says what to do with it.
 */
function isDatabase(path: string): boolean {
  const client = new Database(path, { readonly: true, fileMustExist: true })
  try {
    client.prepare('select count(*) from sqlite_master').get()
    return true
  } catch (error) {
    if (error instanceof Database.SqliteError && /^SQLITE_(NOTADB|CORRUPT)/.test(error.code)) return false
    // Anything else (a writer at work, a hot journal only a writing connection rolls back): the locking read decides.
    if (error instanceof Database.SqliteError) return true
    throw error
  } finally {
    client.close()
  }
}
