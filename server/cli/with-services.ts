import { loadConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import { closeServices, createServices, type Services } from '../services.ts'
import type { Storage } from '../storage/storage.ts'

/**
 * Runs a command against the configured storage, with warnings only on stderr, and closes everything after; a
 * `storage` the caller opened is left open.
 */
export async function withServices<T>(use: (services: Services) => Promise<T>, storage?: Storage): Promise<T> {
  const config = loadConfig()
  const options = { logger: createLogger(process.env.LOG_LEVEL ?? 'warn'), storage }
  const services = await createServices(config, options)
  try {
    return await use(services)
  } finally {
    await closeServices(services, options)
  }
}
