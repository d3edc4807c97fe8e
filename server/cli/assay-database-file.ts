/**
 * A SQLite file checked as an Assay database before it is trusted as a backup
 * or restored: it holds Assay's migrations table, none of its migrations is
 * newer than this build's (a database of a later version, whose tables this
 * build does not know), its schema is exactly what this build's migrations
 * make at its migration (sqlite-schema.ts: no trigger, view, table, index or
 * column of anyone else's), and SQLite reads every page of it whole.
 */
import Database from 'better-sqlite3'
import { migrationLevel, schemaProblem, type MigrationLevel } from '../storage/sqlite-schema.ts'
import { CliError } from './cli-error.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type AssayDatabaseFile = { boards: number }

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
  let level: MigrationLevel
  let problem: string | undefined
  try {
    // The file is untrusted until it is checked: nothing its schema holds is run while it is.
    client.pragma('trusted_schema = OFF')
    level = migrationLevel(client)
    if (level.kind === 'none' || (level.kind === 'at' && level.applied === 0)) {
      throw new CliError(`“${named}” is a SQLite database but not an Assay database (none of Assay's migrations was applied to it).`)
    }
    problem = schemaProblem(client, level)
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`“${named}” is not a sound SQLite database: ${errorMessage(error)}.`)
  }
  if (level.kind === 'later') throw new CliError(`“${named}” ${problem}: restore it with that version.`)
  if (problem) throw new CliError(`“${named}” ${problem}.`)
  let problems: string[]
  try {
    problems = (client.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check)
  } catch (error) {
    throw new CliError(`“${named}” is not a sound SQLite database: ${errorMessage(error)}.`)
  }
  if (problems.join() !== 'ok') throw new CliError(`“${named}” is a damaged SQLite database: ${problems.slice(0, 3).join('; ')}.`)
  const { boards } = client.prepare('select count(*) as boards from boards').get() as { boards: number }
  return { boards }
}
