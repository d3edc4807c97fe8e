/**
 * Part of the global set-up (test/global-setup.ts): one PostgreSQL database per run with every migration
 * applied, which the tests' servers and storages start from as copies
 * (createMigratedDatabase) instead of each running the migrations again, some
 * 0.2 to 0.3 s a server; dropped when the run ends. Its name is the run's own,
 * so runs side by side on one PostgreSQL never share one. Without PostgreSQL
 * there is none, and the PostgreSQL suites skip or fail as they would.
 */
import { rmSync } from 'node:fs'
import { postgresAnswers } from './services.ts'
import { createDatabase, dropDatabase, freshDatabaseName, MIGRATED_TEMPLATE_ENV, openTestStorage, tempDir } from './test-server.ts'

export async function migratedTemplate(): Promise<(() => Promise<void>) | undefined> {
  if (!(await postgresAnswers())) return undefined
  const database = freshDatabaseName()
  const dataDir = tempDir()
  await createDatabase(database)
  try {
    // Opening the storage migrates it; closing it ends every session on it, which copying it needs.
    await (await openTestStorage('postgres', dataDir, database)).close()
  } catch (error) {
    await dropDatabase(database)
    throw error
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
  // The test processes start after the global set-up, with its environment.
  process.env[MIGRATED_TEMPLATE_ENV] = database
  return async () => {
    delete process.env[MIGRATED_TEMPLATE_ENV]
    await dropDatabase(database)
  }
}
