/**
 * `assay <command>`: each command is one module exporting `run(args)`. Errors a
 * person can fix are printed as one clear line and exit with status 1; a
 * database that cannot be written (a full or read-only disk, no permission)
 * as one line naming it, with status 3 (storage-failure.ts); a start-up that
 * cannot go on (a port taken, PostgreSQL's database missing or unreachable:
 * StartupError, database-failure.ts) as one line naming the setting, with
 * status 1. The stack follows only at LOG_LEVEL=debug.
 */
import { join } from 'node:path'
import { ConfigError, loadConfig, type Config } from '../config.ts'
import { BoardError } from '../../shared/board-doc.ts'
import { COMMANDS, usage } from './commands.ts'
import { CliError } from './cli-error.ts'
import { DatabaseBeingImported } from '../storage/serving-lock.ts'
import { AlteredDatabase } from '../storage/sqlite-schema.ts'
import { BriefingTooLarge } from '../export/briefing-size.ts'
import { STORAGE_FAILURE_EXIT, storageFailureLine } from './storage-failure.ts'
import { databaseFailureLine } from './database-failure.ts'
import { StartupError } from '../startup-error.ts'

async function main(argv: string[]): Promise<void> {
  const [first, second, ...rest] = argv
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(usage())
    return
  }
  const twoWord = second !== undefined ? COMMANDS[`${first} ${second}`] : undefined
  const command = twoWord ?? COMMANDS[first]
  if (!command) throw new CliError(`Unknown command "${argv.slice(0, 2).join(' ')}".\n\n${usage()}`)
  const args = twoWord ? rest : argv.slice(1)
  await command.run(args)
}

/** The configuration, or null when it does not load (the command said so already). */
function configOrNull(): Config | null {
  try {
    return loadConfig()
  } catch {
    return null
  }
}

/** The SQLite database's file as the configuration names it; null for PostgreSQL, or a configuration that does not load. */
async function sqliteFile(config: Config | null): Promise<string | null> {
  if (config === null || config.DATABASE_URL) return null
  // Loaded only here: a command run against PostgreSQL never loads the SQLite driver.
  const { SQLITE_FILE_NAME } = await import('../storage/sqlite.ts')
  return join(config.DATA_DIR, SQLITE_FILE_NAME)
}

/** The line for `error`, and the status to exit with; null for an error nobody foresaw. */
async function knownFailure(error: unknown, config: Config | null): Promise<{ line: string; exitCode: number } | null> {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof BoardError || error instanceof DatabaseBeingImported || error instanceof AlteredDatabase || error instanceof BriefingTooLarge) {
    return { line: error.message, exitCode: 1 }
  }
  const unwritable = storageFailureLine(error, await sqliteFile(config))
  if (unwritable !== null) return { line: unwritable, exitCode: STORAGE_FAILURE_EXIT }
  if (error instanceof StartupError) return { line: error.message, exitCode: 1 }
  const database = config && databaseFailureLine(error, config)
  return database ? { line: database, exitCode: 1 } : null
}

/**
 * Prints why the command failed and ends the process: whatever it had started (a server's sockets and pools, a
 * Redis connection reconnecting) is not left to keep a failed process alive.
 */
async function failed(error: unknown): Promise<never> {
  const config = configOrNull()
  const known = await knownFailure(error, config)
  if (known === null) {
    process.stderr.write(`assay: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
  process.stderr.write(`assay: ${known.line}\n`)
  // The stack a known failure came with, for whoever debugs it.
  if (config !== null && DEBUG_LEVELS.has(config.LOG_LEVEL) && error instanceof Error) process.stderr.write(`${error.stack}\n${error.cause instanceof Error ? `cause: ${error.cause.stack}\n` : ''}`)
  process.exit(known.exitCode)
}

const DEBUG_LEVELS = new Set(['debug', 'trace'])

main(process.argv.slice(2)).then(
  () => {
    if (process.exitCode === undefined) process.exitCode = 0
  },
  failed,
)
