/**
 * `assay restore --from FILE`: puts a backup in place of the SQLite database,
 * with every server stopped (a server holds its boards in memory and would
 * write over what was restored). The file is copied in and checked first; the
 * current database is never deleted but kept beside it under a name of its
 * own; and DATA_DIR/assay.db is swapped by one rename, so at no moment is
 * there no database or half of one, and a server that starts finds one whole.
 * Before anything, it looks at the HTTP changes answered `202` and still held
 * in DATA_DIR/held-changes: those the restore would strand stop it, listed,
 * unless the operator says what to do with them (restore-held-changes.ts).
 */
import { COPYFILE_EXCL } from 'node:constants'
import { chmodSync, closeSync, copyFileSync, openSync, readSync, realpathSync, renameSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { loadConfig, type Config } from '../config.ts'
import { lockHolder, takeDatabaseAlone } from '../storage/serving-lock.ts'
import { SQLITE_FILE_NAME } from '../storage/sqlite.ts'
import { checkAssayDatabase, type AssayDatabaseFile } from './assay-database-file.ts'
import { CliError } from './cli-error.ts'
import { present } from './file-present.ts'
import { damagedBoards, damagedList, setAsideInCopy, type DamagedBoard } from './restore-damaged-boards.ts'
import { databaseFile, removeCopy, removeUnfinishedCopies, setAside } from './restore-set-aside.ts'
import { moveStagedRows, removeStagedRows, settleStagedRows, stagedRowsFolder } from './restore-staged-rows.ts'
import { deploymentOf, planHeldChanges, type DeploymentSeen, type HeldChoice } from './restore-held-changes.ts'
import { parseOptions, requireOption, type Command } from './command.ts'
import { runName } from '../process-run.ts'
import { syncToDisk } from './sync-to-disk.ts'
import { cannotWrite } from './write-out-file.ts'
import { countOf } from '../../shared/format-number.ts'

const USAGE = 'assay restore --from FILE [--discard-held | --replay-held] [--accept-damaged]'

const restore: Command = {
  summary: 'Put a backup in place of the SQLite database, with every server stopped',
  usage: USAGE,
  async run(args) {
    const { values } = parseOptions(
      args,
      { from: { type: 'string' }, 'discard-held': { type: 'boolean' }, 'replay-held': { type: 'boolean' }, 'accept-damaged': { type: 'boolean' } },
      USAGE,
    )
    const from = requireOption(values.from, 'from', USAGE)
    if (values['discard-held'] && values['replay-held']) throw new CliError(`--discard-held and --replay-held say opposite things: pass one.\nusage: ${USAGE}`)
    const choice: HeldChoice = values['discard-held'] ? 'discard' : values['replay-held'] ? 'replay' : 'ask'
    const config = loadConfig()
    if (config.DATABASE_URL) {
      throw new CliError(
        'the database is PostgreSQL: restore a pg_dump with pg_restore (or psql for a plain dump), with every server stopped (README: Operations, Backups and restore); nothing was changed.',
      )
    }
    // Held to the end: no server starts on the database half way, nor a backup reads it.
    const lock = await takeDatabaseAlone(config)
    if (!lock) {
      const holder = await lockHolder(config)
      throw new CliError(`${holder.who}: nothing was restored. ${holder.writing ? 'Try again once it has finished.' : 'Stop every server first.'}`)
    }
    try {
      process.stdout.write(await restoreFrom(from, config, choice, values['accept-damaged'] === true))
    } finally {
      await lock.release()
    }
  },
}
export default restore

async function restoreFrom(from: string, config: Config, choice: HeldChoice, acceptDamaged: boolean): Promise<string> {
  const source = backupFile(from)
  const named = join(config.DATA_DIR, SQLITE_FILE_NAME)
  const database = databaseFile(named)
  // The staged rows first: whether a killed restore's copy is still there says whether it took effect. Said at once:
  // what was settled stands even when this restore is refused.
  process.stdout.write(
    [
      ...settleStagedRows(config.DATA_DIR, database),
      ...removeUnfinishedCopies(database).map((path) => `Removed ${path}, left by a restore that did not finish.\n`),
    ].join(''),
  )
  const run = runName()
  const incoming = `${database}.restoring-${run}`
  const staged = stagedRowsFolder(config.DATA_DIR, run)
  let placed = false
  try {
    try {
      copyFileSync(source, incoming, COPYFILE_EXCL)
      chmodSync(incoming, 0o600)
    } catch (error) {
      throw cannotWrite(incoming, error, '; nothing was changed')
    }
    // What is checked is what is put in place: the copy, not the file it came from.
    if (inWalMode(incoming)) {
      throw new CliError(
        `“${from}” is a database in WAL mode, as a live one is, not a file \`assay backup\` wrote: its last commits may be in a -wal file it was copied without. Nothing was restored. Make a backup with \`assay backup\` (a server need not run).`,
      )
    }
    const { boards } = checked(incoming, from)
    const damaged = await damagedBoards(incoming)
    if (damaged.length > 0 && !acceptDamaged) throw damagedBackup(from, damaged)
    const restored = deploymentOf(incoming)
    const held = await planHeldChanges(config, deploymentOf(database), restored, choice, database)
    try {
      if (!held.keepDeployment) asNewDeployment(incoming, restored)
      // In the copy, before the rename: the rename stays the one moment the restore takes effect, so none killed puts a damaged board live.
      const mended = await setAsideInCopy(incoming, staged, damaged)
      syncToDisk(incoming)
      const before = setAside(database)
      renameSync(incoming, database)
      placed = true
      syncToDisk(dirname(database))
      // Only now in damaged-rows/: before the rename, no live database had lost those rows.
      moveStagedRows(staged, config.DATA_DIR)
      // Only once the restore is made: one refused on the way (the database open elsewhere) leaves them where they were.
      const heldReport = await held.finish()
      const linked = database === named ? '' : ` (which ${named} links to)`
      return `${before}; restored ${from} (${countOf(boards, 'board')}) as ${database}${linked}.\n${acceptedDamage(damaged, mended)}${heldReport}`
    } finally {
      await held.release()
    }
  } finally {
    // Before the copy: a killed restore's staged rows with its copy still there were never restored (settleStagedRows).
    if (!placed) removeStagedRows(staged)
    removeCopy(incoming)
  }
}

/**
 * The file to restore, as its real path: a live database's recent commits are
 * in its WAL, and a cut-short transaction's undoing in its hot journal, which
 * a copy of the file alone would lose; SQLite keeps either beside the file a
 * symbolic link leads to.
 */
function backupFile(from: string): string {
  readable(from)
  const source = realpathSync(from)
  const beside = (ending: string) => [from, source].map((path) => path + ending).find(present)
  const wal = beside('-wal')
  if (wal) throw new CliError(`“${from}” has a write-ahead log beside it (${wal}), so it is a live database, not a backup: nothing was restored. Make one with \`assay backup\`.`)
  const journal = beside('-journal')
  if (journal) {
    throw new CliError(
      `“${from}” has a rollback journal beside it (${journal}): a transaction on it was cut short, and the file alone holds part of it. Nothing was restored. Open it once with SQLite, which rolls the transaction back (\`sqlite3 FILE 'pragma integrity_check'\`), or restore another backup.`,
    )
  }
  return source
}

/** Bytes 18 and 19 of a SQLite file's header are 2 in WAL mode; `assay backup` writes files in rollback mode. */
function inWalMode(path: string): boolean {
  const header = Buffer.alloc(20)
  const descriptor = openSync(path, 'r')
  try {
    readSync(descriptor, header, 0, header.length, 0)
  } finally {
    closeSync(descriptor)
  }
  return header.toString('latin1', 0, 16) === 'SQLite format 3\0' && (header[18] === 2 || header[19] === 2)
}

/**
 * A restored database is a deployment of its own: its id is dropped, and its
 * first start makes another, which its Redis keys and channels are named
 * after (server/redis-namespace.ts). A scratch copy of production's backup
 * sharing production's Redis would otherwise hear production's edits to the
 * boards they share, and production the copy's. A backup with no id (older
 * than it, or of a deployment without Redis) is given one the same way.
 * Not with --replay-held: its deployment stays, for the changes held for it.
 */
function asNewDeployment(copy: string, noted: DeploymentSeen): void {
  // A file with no id (its deployment never used Redis, or it is older) is put in place exactly as it was backed up.
  if (!noted.known || noted.id === null) return
  const client = new Database(copy, { fileMustExist: true })
  try {
    client.pragma('trusted_schema = OFF')
    client.prepare('delete from deployment').run()
  } finally {
    client.close()
  }
}

function checked(copy: string, from: string): AssayDatabaseFile {
  try {
    return checkAssayDatabase(copy, from)
  } catch (error) {
    throw error instanceof CliError ? new CliError(`${error.message} Nothing was restored.`) : error
  }
}

function damagedBackup(from: string, damaged: DamagedBoard[]): CliError {
  return new CliError(
    `“${from}” holds ${countOf(damaged.length, 'board')} whose stored changes cannot be applied, which a server would refuse (503 board_damaged):\n${damagedList(damaged)}Nothing was restored. Restore another backup, or pass --accept-damaged to restore this one with those changes set aside into DATA_DIR/damaged-rows.`,
  )
}

/** What a restore with --accept-damaged found, and what it set aside of it (`mended`) before putting the copy in place. */
function acceptedDamage(damaged: DamagedBoard[], mended: string): string {
  if (damaged.length === 0) return ''
  return `Restored with ${countOf(damaged.length, 'damaged board')} (--accept-damaged):\n${damagedList(damaged)}${mended}`
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
