/**
 * What `assay restore` finds where the database goes, and what it does with
 * it before the backup takes the database's name. SQLite takes a -wal, -shm
 * or -journal beside a database for that database's own and replays it onto
 * whatever file has the name when it opens it: one left by an earlier
 * database (a server killed, the database then moved away by hand) turned the
 * restored database into a corrupt one that was served as healthy. So the
 * database and every such file beside it are set aside under one name, a
 * matched set, never deleted.
 */
import { linkSync, lstatSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { CliError } from './cli-error.ts'
import { present } from './file-present.ts'
import { RUN_PATTERN, runOf, stillRunning, type ProcessRun } from '../process-run.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** The files SQLite keeps beside a database `NAME` as `NAME-wal` and so on, and takes for that database's own. */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const

/**
 * The database file at `named`: `named` itself, or, when it is a symbolic
 * link (the database kept on another volume), the file it links to, which
 * the restore replaces in its own folder, leaving the link as it was.
 */
export function databaseFile(named: string): string {
  try {
    if (!lstatSync(named).isSymbolicLink()) return named
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return named
    throw error
  }
  try {
    return realpathSync(named)
  } catch (error) {
    throw new CliError(
      `${named} is a symbolic link to ${readlinkSync(named)}, which cannot be reached (${(error as NodeJS.ErrnoException).code}): nothing was restored. Mount its volume, or remove the link to restore into ${dirname(named)}.`,
    )
  }
}

/**
 * Removes the copies that restores killed before they finished left beside
 * `database` (`NAME.restoring-<run>`, whole backups each, process-run.ts),
 * their process gone, and the -journal, -wal or -shm a kill left beside such
 * a copy (one opened to be checked or given a new deployment): a later
 * restore whose process has the same pid, common in containers, would
 * otherwise have SQLite take it for its fresh copy's own and roll it onto
 * that copy. The caller holds the serving lock exclusive, so no other
 * restore of this database runs. Returns their paths.
 */
export function removeUnfinishedCopies(database: string): string[] {
  const prefix = `${basename(database)}.restoring-`
  const left = readdirSync(dirname(database))
    .filter((name) => {
      const run = name.startsWith(prefix) ? unfinishedCopyRun(name.slice(prefix.length)) : null
      return run !== null && !stillRunning(run)
    })
    .map((name) => join(dirname(database), name))
  for (const path of left) rmSync(path, { force: true })
  return left
}

/** Removes a restore's copy `copy` and whatever SQLite left beside it. */
export function removeCopy(copy: string): void {
  for (const ending of ['', ...COMPANIONS]) rmSync(copy + ending, { force: true })
}

/** The run a copy's name (past `NAME.restoring-`) names, with or without one of SQLite's endings after it; null for another file. */
function unfinishedCopyRun(rest: string): ProcessRun | null {
  const match = new RegExp(`^${RUN_PATTERN}(${COMPANIONS.join('|')})?$`).exec(rest)
  return match ? runOf(match[1]!, match[2]) : null
}

/**
 * Sets aside the database at `database` and every -wal, -shm and -journal
 * beside it, under `NAME.before-restore-<UTC time>` (with the same endings,
 * so SQLite opening the kept file finds its own). A database SQLite can open
 * has its WAL folded in and is left in rollback mode, one file on its own
 * that `assay restore` takes back; one it cannot (not a database, or
 * damaged) is moved as it was, with its files. The name `database` stays
 * taken, for the rename that follows. Returns what was done, as a sentence.
 */
export function setAside(database: string): string {
  const aside = `${database}.before-restore-${new Date().toISOString().replace(/[-:]/g, '')}`
  if (!present(database)) {
    const moved = moveCompanions(database, aside)
    if (moved.length === 0) return `There was no database in ${dirname(database)}`
    return `There was no database in ${dirname(database)}, but ${moved.map((ending) => basename(database) + ending).join(' and ')} of an earlier one, which the restored database would have taken for its own: moved ${moved.length === 1 ? 'it' : 'them'} aside to ${moved.map((ending) => aside + ending).join(' and ')}`
  }
  const broken = fold(database)
  if (broken === undefined) {
    for (const ending of ['-wal', '-shm']) {
      if (present(database + ending)) throw openElsewhere(database + ending)
    }
  }
  // A link, so the name `database` is never without a file.
  linkSync(database, aside)
  const moved = moveCompanions(database, aside)
  const along = moved.length === 0 ? '' : `, with its ${moved.join(' and ')} (${moved.map((ending) => aside + ending).join(', ')})`
  if (broken === undefined) return `Moved the database aside to ${aside}${along}`
  return `SQLite cannot open the database (${broken}), so it was moved aside as it was, to ${aside}${along}`
}

/** Folds the WAL into the database, leaving it in rollback mode; undefined once done, or why SQLite cannot read it as a database. */
function fold(database: string): string | undefined {
  // Read first on a read-only connection, which leaves the -wal as it was: a connection that can write folds
  // the WAL into the file as it closes, and deletes it, even when the file is not a database.
  const unreadable = withClient(database, true, (client) => {
    try {
      client.prepare('select count(*) from sqlite_master').get()
    } catch (error) {
      // A hot journal, which only a connection that can write rolls back: the one below.
      if (!(error instanceof Database.SqliteError && error.code === 'SQLITE_READONLY_ROLLBACK')) throw error
    }
  })
  if (unreadable !== undefined) return unreadable
  return withClient(database, false, (client) => {
    // Leaving WAL mode folds the WAL in and deletes it; the read before rolls a hot journal back.
    client.prepare('select count(*) from sqlite_master').get()
    if (client.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw openElsewhere(database)
  })
}

/** Runs `use` on a connection to `database`; undefined once done, or why SQLite cannot read it as a database. */
function withClient(database: string, readonly: boolean, use: (client: Database.Database) => void): string | undefined {
  const client = new Database(database, { readonly, fileMustExist: true })
  try {
    use(client)
    return undefined
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error
    if (/^SQLITE_(NOTADB|CORRUPT)/.test(error.code)) return errorMessage(error)
    if (/^SQLITE_(BUSY|LOCKED)/.test(error.code)) throw openElsewhere(database)
    throw error
  } finally {
    // The last connection that can write deletes the -shm file as it closes.
    client.close()
  }
}

/** Renames each of SQLite's files beside `database` to the same ending beside `aside`; returns the endings moved. */
function moveCompanions(database: string, aside: string): string[] {
  const moved = COMPANIONS.filter((ending) => present(database + ending))
  for (const ending of moved) renameSync(database + ending, aside + ending)
  return moved
}

function openElsewhere(path: string): CliError {
  return new CliError(`another process has ${path} open: nothing was restored. Stop it first.`)
}
