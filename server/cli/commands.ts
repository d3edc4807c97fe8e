/** Every `assay` command by name, each loaded from its own module when used. */
import type { Command } from './command.ts'

const lazy = (load: () => Promise<{ default: Command }>, summary: string, usageLine: string): Command => ({
  summary,
  usage: usageLine,
  run: async (args) => (await load()).default.run(args),
})

/** Every command, by name. Modules load on use, so `assay board list` does not pay for the HTTP server. */
export const COMMANDS: Record<string, Command> = {
  serve: lazy(() => import('./serve.ts'), 'Run the server (HTTP, websocket relay, client).', 'assay serve'),
  migrate: lazy(() => import('./migrate.ts'), 'Apply database migrations and exit.', 'assay migrate'),
  'board create': lazy(() => import('./board-create.ts'), 'Create a board; prints its id.', 'assay board create --title TITLE'),
  'board list': lazy(() => import('./board-list.ts'), 'List boards: id, title, created.', 'assay board list'),
  'board set-aside-damaged': lazy(
    () => import('./board-set-aside-damaged.ts'),
    'Move a board’s log rows that cannot be applied into DATA_DIR/damaged-rows (servers stopped).',
    'assay board set-aside-damaged --board ID',
  ),
  export: lazy(() => import('./export.ts'), 'Export a board or a snapshot to a file.', 'assay export --board ID --format F [--snapshot S] --out FILE [--as EMAIL]'),
  import: lazy(() => import('./import.ts'), 'Import a source document into a board.', 'assay import FILE --board ID [--title T] [--preview]'),
  backup: lazy(() => import('./backup.ts'), 'Copy the SQLite database to a file, while servers serve it.', 'assay backup --out FILE'),
  restore: lazy(() => import('./restore.ts'), 'Put a backup in place of the SQLite database (servers stopped).', 'assay restore --from FILE [--discard-held | --replay-held]'),
  'user add': lazy(() => import('./user-add.ts'), 'Add an account; the password is read from standard input.', 'assay user add --email E --name N [--admin]'),
  'token create': lazy(() => import('./token-create.ts'), 'Create an API token for an account; prints it once.', 'assay token create --email E --name N'),
}

export function usage(): string {
  const lines = Object.values(COMMANDS).map((command) => `  ${command.usage.padEnd(44)} ${command.summary}`)
  return `Assay: realtime collaborative assessment boards.\n\nCommands:\n${lines.join('\n')}\n\nConfiguration comes from the environment (see README: Configuration).\n`
}
