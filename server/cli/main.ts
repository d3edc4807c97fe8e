/**
 * `assay <command>`: each command is one module exporting `run(args)`. Errors a
 * person can fix are printed as one clear line and exit with status 1; a
 * database that cannot be written (a full or read-only disk, no permission)
 * as one line naming it, with status 3 (storage-failure.ts).
 */
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../config.ts'
import { BoardError } from '../../shared/board-doc.ts'
import { COMMANDS, usage } from './commands.ts'
import { CliError } from './cli-error.ts'
import { DatabaseBeingImported } from '../storage/serving-lock.ts'
import { AlteredDatabase } from '../storage/sqlite-schema.ts'
import { BriefingTooLarge } from '../export/briefing-size.ts'
import { STORAGE_FAILURE_EXIT, storageFailureLine } from './storage-failure.ts'

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

/** The SQLite database's file as the configuration names it; null for PostgreSQL, or a configuration that does not load (the command said so already). */
async function sqliteFile(): Promise<string | null> {
  let config
  try {
    config = loadConfig()
  } catch {
    return null
  }
  if (config.DATABASE_URL) return null
  // Loaded only here: a command run against PostgreSQL never loads the SQLite driver.
  const { SQLITE_FILE_NAME } = await import('../storage/sqlite.ts')
  return join(config.DATA_DIR, SQLITE_FILE_NAME)
}

async function failed(error: unknown): Promise<void> {
  process.exitCode = 1
  if (error instanceof CliError || error instanceof ConfigError || error instanceof BoardError || error instanceof DatabaseBeingImported || error instanceof AlteredDatabase || error instanceof BriefingTooLarge) {
    process.stderr.write(`assay: ${error.message}\n`)
    return
  }
  const unwritable = storageFailureLine(error, await sqliteFile())
  if (unwritable !== null) {
    process.stderr.write(`assay: ${unwritable}\n`)
    process.exitCode = STORAGE_FAILURE_EXIT
    return
  }
  process.stderr.write(`assay: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
}

main(process.argv.slice(2)).then(
  () => {
    if (process.exitCode === undefined) process.exitCode = 0
  },
  failed,
)
