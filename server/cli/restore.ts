/**
 * `assay restore --from FILE`: puts a backup in place of the SQLite database,
 * with every server stopped (a server holds its boards in memory and would
 * write over what was restored). The file is copied in and checked first; the
 * current database is never deleted but kept beside it under a name of its
 * own; and DATA_DIR/assay.db is swapped by one rename, so at no moment is
 * there no database or half of one, and a server that starts finds one whole.
 */
import { COPYFILE_EXCL } from 'node:constants'
import { chmodSync, copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { loadConfig } from '../config.ts'
import { databaseName, takeDatabaseAlone } from '../storage/serving-lock.ts'
import { SQLITE_FILE_NAME } from '../storage/sqlite.ts'
import { checkAssayDatabase, type AssayDatabaseFile } from './assay-database-file.ts'
import { CliError } from './cli-error.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { syncToDisk } from './sync-to-disk.ts'
import { cannotWrite } from './write-out-file.ts'
import { countOf } from '../../shared/format-number.ts'

const USAGE = 'assay restore --from FILE'

const restore: Command = {
  summary: 'Put a backup in place of the SQLite database, with every server stopped',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(args, { from: { type: 'string' } }, USAGE)
    const from = requireOption(values.from, 'from', USAGE)
    const config = loadConfig()
    if (config.DATABASE_URL) {
      throw new CliError(
        'the database is PostgreSQL: restore a pg_dump with pg_restore (or psql for a plain dump), with every server stopped (README: Operations, Backups and restore); nothing was changed.',
      )
    }
    // Held to the end: no server starts on the database half way, nor a backup reads it.
    const lock = await takeDatabaseAlone(config)
    if (!lock) throw new CliError(`a server is serving ${databaseName(config)} (or a backup is reading it): nothing was restored. Stop every server first.`)
    try {
      const { aside, boards } = restoreFrom(from, config.DATA_DIR)
      const before = aside ? `Moved the database aside to ${aside}` : `There was no database in ${config.DATA_DIR}`
      process.stdout.write(`${before}; restored ${from} (${countOf(boards, 'board')}) as ${join(config.DATA_DIR, SQLITE_FILE_NAME)}.\n`)
    } finally {
      await lock.release()
    }
  },
}
export default restore

function restoreFrom(from: string, dataDir: string): { aside: string | undefined; boards: number } {
  readable(from)
  // A live database's recent commits are in its WAL, which a copy of the file alone would lose.
  if (existsSync(`${from}-wal`)) throw new CliError(`“${from}” has a write-ahead log beside it, so it is a live database, not a backup: nothing was restored. Make one with \`assay backup\`.`)
  const database = join(dataDir, SQLITE_FILE_NAME)
  const incoming = `${database}.restoring-${process.pid}`
  try {
    try {
      copyFileSync(from, incoming, COPYFILE_EXCL)
      chmodSync(incoming, 0o600)
    } catch (error) {
      throw cannotWrite(incoming, error, '; nothing was changed')
    }
    // What is checked is what is put in place: the copy, not the file it came from.
    const { boards } = checked(incoming, from)
    syncToDisk(incoming)
    const aside = existsSync(database) ? keepAside(database) : undefined
    renameSync(incoming, database)
    syncToDisk(dataDir)
    return { aside, boards }
  } finally {
    rmSync(incoming, { force: true })
  }
}

function checked(copy: string, from: string): AssayDatabaseFile {
  try {
    return checkAssayDatabase(copy, from)
  } catch (error) {
    throw error instanceof CliError ? new CliError(`${error.message} Nothing was restored.`) : error
  }
}

function readable(from: string): void {
  let isFile: boolean
  try {
    isFile = statSync(from).isFile()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError(`Cannot read “${from}”: ${code === 'ENOENT' ? 'it does not exist' : code}; nothing was changed.`)
  }
  if (!isFile) throw new CliError(`Cannot read “${from}”: it is not a file; nothing was changed.`)
}

/**
 * Folds the WAL into the database file, leaving no -wal or -shm file that the
 * restored database would take for its own, and gives the file a second name;
 * the rename that follows takes the first. Returns the second.
 */
function keepAside(database: string): string {
  const client = new Database(database, { fileMustExist: true })
  try {
    const [result] = client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
    if (result?.busy) throw new CliError(`another process is reading ${database}: nothing was restored. Stop it first.`)
  } finally {
    // The last connection to close deletes the -wal and -shm files.
    client.close()
  }
  for (const left of [`${database}-wal`, `${database}-shm`]) {
    if (existsSync(left)) throw new CliError(`${left} is still there after the database was closed: another process has it open. Nothing was restored.`)
  }
  const aside = `${database}.before-restore-${new Date().toISOString().replace(/[-:]/g, '')}`
  linkSync(database, aside)
  return aside
}
