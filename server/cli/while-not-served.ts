import { loadConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import type { Services } from '../services.ts'
import { databaseName, takeDatabaseAlone } from '../storage/serving-lock.ts'
import { CliError } from './cli-error.ts'
import { withServices } from './with-services.ts'

/**
 * Runs a command that writes boards only while no server serves the database,
 * holding servers off meanwhile (server/storage/serving-lock.ts): a server
 * holds its boards in memory and would never see what was written behind it.
 * `refused` says what was not done and what to do instead.
 */
export async function whileNotServed<T>(refused: string, use: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const lock = await takeDatabaseAlone(config, createLogger(process.env.LOG_LEVEL ?? 'warn'))
  if (!lock) throw new CliError(`a server is serving ${databaseName(config)}: ${refused}`)
  try {
    return await withServices(async (services) => {
      // Counted before anything is written, and committed: a server on PostgreSQL whose lock lapsed
      // while this ran sees it once it holds the lock again, however this command ends (pg-serving-lock.ts).
      await services.storage.exclusiveWrites.note()
      return use(services)
    })
  } finally {
    await lock.release()
  }
}
