import { loadConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import { openStorage } from '../storage/open-storage.ts'
import type { Command } from './command.ts'

const migrate: Command = {
  summary: 'Apply database migrations',
  usage: 'assay migrate',
  async run() {
    const config = loadConfig()
    const storage = await openStorage(config, createLogger(config.LOG_LEVEL))
    await storage.close()
    process.stdout.write(`Migrations applied (${storage.dialect}).\n`)
  },
}
export default migrate
