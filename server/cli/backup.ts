/**
 * `assay backup --out FILE`: a copy of the SQLite database, consistent as of
 * one moment, taken while servers serve it. `VACUUM INTO` reads the database
 * in one read transaction of this process's own connection, which in WAL mode
 * neither waits for the server's writes nor holds them up, and always
 * finishes (SQLite's online backup API starts again whenever another process
 * writes, so under steady typing it may never end). The copy is written under
 * a temporary name beside FILE, flushed to disk, checked as `assay restore`
 * checks a file (its schema, every page, and every board read as a server
 * loads it), and only then given FILE's name, so a crash, a full disk or a
 * damaged board never leaves a backup under it that a restore would refuse.
 * DATA_DIR may be on a read-only file system (a mounted volume snapshot):
 * read without the serving lock when no lock file is there, and through a
 * copy when SQLite cannot open the database there (read-only-source.ts).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, linkSync, lstatSync, openSync, closeSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { loadConfig } from '../config.ts'
import { databaseName, writers } from '../storage/serving-lock.ts'
import { SQLITE_FILE_NAME } from '../storage/sqlite.ts'
import { checkAssayDatabase, type AssayDatabaseFile } from './assay-database-file.ts'
import { CliError } from './cli-error.ts'
import { present } from './file-present.ts'
import { readingLock, readableSource, type ReadableSource } from './read-only-source.ts'
import { damagedBoards, damagedList, type DamagedBoard } from './restore-damaged-boards.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { syncToDisk } from './sync-to-disk.ts'
import { cannotWrite } from './write-out-file.ts'
import { countOf } from '../../shared/format-number.ts'

const USAGE = 'assay backup --out FILE [--accept-damaged]'

const backup: Command = {
  summary: 'Copy the SQLite database to a file, while servers serve it',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { out: { type: 'string' }, 'accept-damaged': { type: 'boolean' } }, USAGE)
    const out = requireOption(values.out, 'out', USAGE)
    const config = loadConfig()
    if (config.DATABASE_URL) {
      throw new CliError('the database is PostgreSQL: back it up with pg_dump (README: Operations, Backups and restore); nothing was written.')
    }
    const database = join(config.DATA_DIR, SQLITE_FILE_NAME)
    if (!existsSync(database)) throw new CliError(`there is no database to back up in ${config.DATA_DIR}.`)
    refuseExisting(out)
    const lock = readingLock(config.DATA_DIR)
    if (!lock) throw new CliError(`${writers(config)} is writing ${databaseName(config)}: nothing was backed up. Try again once it has finished.`)
    try {
      const { bytes, boards, asOf, damaged, copied } = await copyInto(database, out, values['accept-damaged'] === true)
      process.stdout.write(
        `${lock.note}${copied}Backed up ${databaseName(config)} to ${out}: ${countOf(bytes, 'byte')}, ${countOf(boards, 'board')}, consistent as of ${asOf.toISOString()}.\n${acceptedDamage(damaged)}`,
      )
    } finally {
      await lock.release()
    }
  },
}
export default backup

/** A database a server would refuse is not passed on to every later backup and restore. */
function checkedCopy(copy: string, database: string): AssayDatabaseFile {
  try {
    return checkAssayDatabase(copy, database)
  } catch (error) {
    throw error instanceof CliError ? new CliError(`the copy of ${error.message} Nothing was backed up.`) : error
  }
}

/**
 * A copy holding a board a server refuses (503 board_damaged) is refused as a restore would refuse it: a backup
 * found bad only when it is needed is no backup. The database it was taken from has the same damage.
 */
function damagedCopy(database: string, damaged: DamagedBoard[]): CliError {
  return new CliError(
    `the copy of “${database}” holds ${countOf(damaged.length, 'board')} whose stored changes cannot be applied, which a server refuses (503 board_damaged), as does \`assay restore\`:\n${damagedList(damaged)}Nothing was backed up. Set those changes aside with \`assay board set-aside-damaged --board ID\` (every server stopped) and back up again, or pass --accept-damaged to back it up as it is.`,
  )
}

function acceptedDamage(damaged: DamagedBoard[]): string {
  if (damaged.length === 0) return ''
  return `Backed up with ${countOf(damaged.length, 'damaged board')} (--accept-damaged), which \`assay restore\` refuses unless given --accept-damaged too:\n${damagedList(damaged)}`
}

/** A backup never replaces a file, nor writes through a symbolic link (even one to nothing): the one there may be the only good backup. */
function refuseExisting(out: string): void {
  if (!present(out)) return
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`Cannot write “${out}”: it is a folder; give a file name.`)
  const link = lstatSync(out).isSymbolicLink() ? ` (a symbolic link to ${readlinkSync(out)})` : ''
  throw new CliError(`Cannot write “${out}”: it exists already${link}; nothing was overwritten. Give a new file name.`)
}

async function copyInto(
  database: string,
  out: string,
  acceptDamaged: boolean,
): Promise<{ bytes: number; boards: number; asOf: Date; damaged: DamagedBoard[]; copied: string }> {
  // Of a fixed length, so any name FILE may have leaves room for it.
  const hidden = join(dirname(out), `.assay-backup-${process.pid}-${randomBytes(4).toString('hex')}`)
  const partial = `${hidden}.partial`
  try {
    // Made first, empty and private (it holds password hashes and sessions): VACUUM INTO fills an empty file, keeping its mode.
    closeSync(openSync(partial, 'wx', 0o600))
  } catch (error) {
    throw cannotWrite(out, error)
  }
  try {
    let source: ReadableSource | undefined
    // The read transaction begins as the statement does: everything committed before this moment is in the copy.
    let asOf: Date
    try {
      source = readableSource(database, `${hidden}.source`, out)
      source.client.pragma('busy_timeout = 5000')
      asOf = new Date()
      source.client.prepare('vacuum into ?').run(partial)
    } catch (error) {
      throw cannotWrite(out, error, '; nothing was written')
    } finally {
      source?.close()
    }
    syncToDisk(partial)
    const { boards } = checkedCopy(partial, database)
    const damaged = await damagedBoards(partial)
    if (damaged.length > 0 && !acceptDamaged) throw damagedCopy(database, damaged)
    try {
      // A link, unlike a rename, never replaces a file that appeared meanwhile.
      linkSync(partial, out)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') refuseExisting(out)
      throw cannotWrite(out, error)
    }
    rmSync(partial)
    syncToDisk(dirname(out))
    return { bytes: statSync(out).size, boards, asOf, damaged, copied: source.note }
  } finally {
    rmSync(partial, { force: true })
  }
}
