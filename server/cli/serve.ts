import { loadConfig } from '../config.ts'
import { startServer } from '../server.ts'
import type { Command } from './commands.ts'

const serve: Command = {
  summary: 'Run the server',
  usage: 'assay serve',
  async run() {
    const server = await startServer(loadConfig())
    process.stdout.write(`Assay is running at ${server.url}\n`)
    const stop = (signal: string) => {
      server.services.logger.info({ signal }, 'shutting down')
      void server.close().then(() => process.exit(0))
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  },
}
export default serve
