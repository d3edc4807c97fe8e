import { loadConfig } from '../config.ts'
import { seedDemoBoard } from '../demo/seed-demo-board.ts'
import { startServer } from '../server.ts'
import { stopOnSignals } from '../stop-on-signals.ts'
import { cliPrincipal } from './cli-principal.ts'
import type { Command } from './command.ts'

const serve: Command = {
  summary: 'Run the server',
  usage: 'assay serve',
  async run() {
    const config = loadConfig()
    const server = await startServer(config)
    // A brand-new install opens to a board that shows what a board is for, owned by the
    // configured admin when there is one (the admin can open every board in any case).
    if ((await server.services.storage.boards.list()).length === 0) {
      const demoId = await seedDemoBoard(server.services, await cliPrincipal(server.services, config.ASSAY_ADMIN_EMAIL))
      server.services.logger.info({ boardId: demoId }, 'created the demo board')
    }
    process.stdout.write(`Assay is running at ${server.url}\n`)
    stopOnSignals(server)
  },
}
export default serve
