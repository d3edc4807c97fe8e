import { loadConfig } from '../config.ts'
import { seedDemoBoardIfNone } from '../demo/seed-demo-board.ts'
import { startServer } from '../server.ts'
import type { Services } from '../services.ts'
import { innermostMessage, StartupError } from '../startup-error.ts'
import { stopOnSignals } from '../stop-on-signals.ts'
import { codesOf } from '../storage/storage-errors.ts'
import type { Principal } from '../access/access.ts'
import { normalizeEmail } from '../auth/accounts.ts'
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
  const owner = await demoBoardOwner(services)
  try {
    const demoId = await seedDemoBoardIfNone(services, owner)
    if (demoId !== null) services.logger.info({ boardId: demoId }, 'created the demo board')
  } catch (error) {
    // A disk full or read-only is still said as main.ts says it for every command (it reads the codes of the cause).
    throw new StartupError(`the database refused the first write (creating the demo board): ${innermostMessage(error)} (${codesOf(error).join(', ') || 'no code'}); nothing was served: make the database writable and start again.`, { cause: error })
  }
}

/**
 * The configured admin owns the demo board when the account exists. `ASSAY_ADMIN_EMAIL` creates the account only on a
 * database with none, so on one whose accounts were made otherwise it may name nobody: the board is then the operator's
 * (every admin opens it), and the log says why rather than the start failing as if the database refused a write.
 */
async function demoBoardOwner(services: Services): Promise<Principal> {
  const email = services.config.ASSAY_ADMIN_EMAIL
  if (email !== undefined && !(await services.storage.users.getByEmail(normalizeEmail(email)))) {
    services.logger.warn({ email }, 'ASSAY_ADMIN_EMAIL names no account (it creates one only on a database with none): the demo board is made without an owner account')
    return cliPrincipal(services)
  }
  return cliPrincipal(services, email)
}
