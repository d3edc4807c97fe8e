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
import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import Database from 'better-sqlite3'

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

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
    // A database damaged past its header: nobody serves it either; the command's own reading says what is wrong.
    if (error instanceof Database.SqliteError && /^SQLITE_(NOTADB|CORRUPT)/.test(error.code)) return false
    throw error
  } finally {
    client.close()
  }
}

/**
 * Whether the file starts as every SQLite database does (or is empty, which SQLite reads as a database with nothing
 * in it), read as bytes: any connection leaves files beside a database in WAL mode (a read-only one its -wal and
 * -shm, which a refused `assay restore` must not leave in the data folder), and one that can write deletes a -wal
 * beside a file that is not a database as it closes, where `assay restore` moves such a file aside with its files as
 * they were. One that does not start so no server serves; the command says what to do with it.
 */
function isDatabase(path: string): boolean {
  const file = openSync(path, 'r')
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length)
    const read = readSync(file, header, 0, header.length, 0)
    return read === 0 || (read === header.length && header.equals(SQLITE_HEADER))
  } finally {
    closeSync(file)
  }
}
