/**
 * A SQLite file checked as an Assay database before it is trusted as a backup
 * or restored: SQLite reads every page of it whole, it holds Assay's
 * migrations table, and none of its migrations is newer than this build's (a
 * database of a later version, whose tables this build does not know).
 */
import Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { SQLITE_MIGRATIONS } from '../storage/sqlite.ts'
import { CliError } from './cli-error.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { countOf } from '../../shared/format-number.ts'

export type AssayDatabaseFile = { boards: number; migrations: number }

/** Reads `path` without writing it; `named` is how a refusal names the file. Throws a CliError saying what is wrong. */
export function checkAssayDatabase(path: string, named: string): AssayDatabaseFile {
  let client: Database.Database
  try {
    client = new Database(path, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw new CliError(`“${named}” cannot be opened as a SQLite database: ${errorMessage(error)}.`)
  }
  try {
    return check(client, named)
  } finally {
    client.close()
  }
}

function check(client: Database.Database, named: string): AssayDatabaseFile {
  let problems: string[]
  try {
    problems = (client.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check)
  } catch (error) {
    throw new CliError(`“${named}” is not a sound SQLite database: ${errorMessage(error)}.`)
  }
  if (problems.join() !== 'ok') throw new CliError(`“${named}” is a damaged SQLite database: ${problems.slice(0, 3).join('; ')}.`)
  const tables = client.prepare(`select count(*) as found from sqlite_master where type = 'table' and name in ('__drizzle_migrations', 'boards')`).get() as { found: number }
  if (tables.found !== 2) throw new CliError(`“${named}” is a SQLite database but not an Assay database (it has no migrations table and boards).`)
  const applied = client.prepare('select created_at as at from __drizzle_migrations').all() as { at: number }[]
  const latest = Math.max(...readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS }).map((migration) => migration.folderMillis))
  const newer = applied.filter((migration) => Number(migration.at) > latest).length
  if (newer > 0) throw new CliError(`“${named}” comes from a later version of Assay (${countOf(newer, 'migration')} this version does not know): restore it with that version.`)
  const { boards } = client.prepare('select count(*) as boards from boards').get() as { boards: number }
  return { boards, migrations: applied.length }
}
