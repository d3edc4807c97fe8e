import { loadConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import { closeServices, createServices, type Services } from '../services.ts'

/** Runs a command against the configured storage, with warnings only on stderr, and closes everything after. */
export async function withServices<T>(use: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const services = await createServices(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') })
  try {
    return await use(services)
  } finally {
    await closeServices(services)
  }
}
