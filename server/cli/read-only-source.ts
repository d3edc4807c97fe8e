/**
 * What `assay backup` reads from a DATA_DIR on a read-only file system (a
 * mounted volume snapshot, a read-only mount of a stopped deployment's
 * volume): it exited 3 with EROFS, as the serving lock's file could not be
 * made there, and with the lock file there, SQLite could not open a database
 * in WAL mode without its -shm file, which it cannot make there either (red
 * team 38b). A writable DATA_DIR is read as before, the lock held.
 */
import { accessSync, chmodSync, closeSync, constants, copyFileSync, openSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { trySqliteServingLock } from '../storage/sqlite-serving-lock.ts'
import { present } from './file-present.ts'

/** What a backup holds while it reads, and what it says about it; null while a command holds the lock exclusive. */
export type ReadingLock = { note: string; release(): Promise<void> }

/** An open connection to read the database from, what the backup says about it, and `close`, which removes any copy. */
export type ReadableSource = { client: Database.Database; note: string; close(): void }

/**
 * The serving lock shared, as a server's: a restore (which takes it exclusive) cannot swap the file while it is read.
 * On a read-only file system with no lock file, none: every server makes the file before it serves, so no server has
 * served the database from there, and none can write there.
 */
export function readingLock(dataDir: string): ReadingLock | null {
  try {
    const lock = trySqliteServingLock(dataDir, 'shared')
    return lock && { note: '', release: () => lock.release() }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EROFS') throw error
    return {
      note: `${dataDir} is on a read-only file system with no assay-serving.lock, which every server makes before it serves: no server serves the database there, so it is read without the serving lock.\n`,
      release: async () => {},
    }
  }
}

/**
 * A read-only connection to `database`; when SQLite cannot open it (a database in WAL mode with no -shm file, on a
 * read-only file system where it cannot make one: no process has it open, as each keeps a -shm while it does), one to a
 * copy of it and its -wal at `copy`, beside the backup, which SQLite can open.
 */
export function readableSource(database: string, copy: string, out: string): ReadableSource {
  const opened = openToRead(database)
  if (!(opened instanceof Error)) return { client: opened, note: '', close: () => opened.close() }
  if (!(opened instanceof Database.SqliteError && opened.code === 'SQLITE_CANTOPEN' && readOnlyFileSystem(dirname(database)))) throw opened
  try {
    for (const ending of ['', '-wal']) {
      if (ending !== '' && !present(database + ending)) continue
      // Private from the start: the copy holds password hashes and sessions.
      closeSync(openSync(copy + ending, 'wx', 0o600))
      copyFileSync(database + ending, copy + ending)
      chmodSync(copy + ending, 0o600)
    }
    const client = new Database(copy, { readonly: true, fileMustExist: true })
    return {
      client,
      note: `SQLite cannot open ${database} on a read-only file system without its -shm file, which no process has made (none has it open): copied it beside ${out} first, and backed up that copy.\n`,
      close() {
        client.close()
        removeCopy(copy)
      },
    }
  } catch (error) {
    removeCopy(copy)
    throw error
  }
}

/** A read-only connection that has read the schema (where SQLite finds it cannot open the file), or why it cannot. */
function openToRead(database: string): Database.Database | Error {
  let client: Database.Database | undefined
  try {
    client = new Database(database, { readonly: true, fileMustExist: true })
    client.prepare('select count(*) from sqlite_master').get()
    return client
  } catch (error) {
    client?.close()
    return error as Error
  }
}

function readOnlyFileSystem(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS'
  }
}

function removeCopy(copy: string): void {
  for (const ending of ['', '-wal', '-shm']) rmSync(copy + ending, { force: true })
}
