import { loadConfig } from '../config.ts'
import { seedDemoBoardIfNone } from '../demo/seed-demo-board.ts'
import { startServer } from '../server.ts'
import type { Services } from '../services.ts'
import { innermostMessage, StartupError } from '../startup-error.ts'
import { stopOnSignals } from '../stop-on-signals.ts'
import { codesOf } from '../storage/storage-errors.ts'
import { cliPrincipal } from './cli-principal.ts'
import type { Command } from './command.ts'

const serve: Command = {
  summary: 'Run the server',
  usage: 'assay serve',
  async run() {
    const config = loadConfig()
    const server = await startServer(config, {}, seedIfNew)
    process.stdout.write(`Assay is running at ${server.url}\n`)
    stopOnSignals(server)
  },
}
export default serve

/**
 * A brand-new install opens to a board that shows what a board is for, owned by the configured admin when there is
 * one (the admin can open every board in any case). It is made before anything listens, and its failure stops the
 * start: it is the database's first write, and a database refusing it (full, read-only, a failover under way) would
 * only refuse every edit of a server that looked ready; a supervisor starting the process again tries it again.
 */
async function seedIfNew(services: Services): Promise<void> {
  // The usual start, with boards, writes nothing; the store checks again, in the transaction that makes the board.
  if ((await services.storage.boards.list()).length > 0) return
  try {
    const demoId = await seedDemoBoardIfNone(services, await cliPrincipal(services, services.config.ASSAY_ADMIN_EMAIL))
    if (demoId !== null) services.logger.info({ boardId: demoId }, 'created the demo board')
  } catch (error) {
    // A disk full or read-only is still said as main.ts says it for every command (it reads the codes of the cause).
    throw new StartupError(`the database refused the first write (creating the demo board): ${innermostMessage(error)} (${codesOf(error).join(', ') || 'no code'}); nothing was served: make the database writable and start again.`, { cause: error })
  }
}
