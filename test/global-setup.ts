/**
 * Vitest's global set-up, its parts side by side: the client built for the
 * browser tests, the scripts run in child processes compiled, and the
 * PostgreSQL tests' migrated template database.
 */
import { buildClient } from './e2e/build-client.ts'
import { compileTestProcesses } from './helpers/compiled-processes.ts'
import { migratedTemplate } from './helpers/migrated-template.ts'

export default async function globalSetup(): Promise<() => Promise<void>> {
  const [client, processes, template] = await Promise.allSettled([buildClient(), compileTestProcesses(), migratedTemplate()])
  const dropTemplate = template.status === 'fulfilled' ? template.value : undefined
  for (const part of [client, processes, template]) {
    if (part.status === 'rejected') {
      await dropTemplate?.()
      throw part.reason
    }
  }
  return async () => {
    await dropTemplate?.()
  }
}
