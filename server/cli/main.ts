/**
 * `assay <command>`: each command is one module exporting `run(args)`. Errors a
 * person can fix are printed as one clear line and exit with status 1.
 */
import { ConfigError } from '../config.ts'
import { BoardError } from '../../shared/board-doc.ts'
import { COMMANDS, usage } from './commands.ts'
import { CliError } from './cli-error.ts'
import { DatabaseBeingImported } from '../storage/serving-lock.ts'
import { AlteredDatabase } from '../storage/sqlite-schema.ts'

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

main(process.argv.slice(2)).then(
  () => {
    if (process.exitCode === undefined) process.exitCode = 0
  },
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigError || error instanceof BoardError || error instanceof DatabaseBeingImported || error instanceof AlteredDatabase) {
      process.stderr.write(`assay: ${error.message}\n`)
    } else {
      process.stderr.write(`assay: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    }
    process.exitCode = 1
  },
)
