/** Several instances started at once on a fresh PostgreSQL database, as a fleet's first start or a rolling upgrade does. */
import { afterEach, expect, it } from 'vitest'
import postgres from 'postgres'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { openStorage } from '../../server/storage/open-storage.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName } from '../helpers/test-server.ts'

const missing = await missingServices('postgres')

describeUnless(missing)('instances starting together', () => {
  const databases: string[] = []
  afterEach(async () => {
    for (const database of databases.splice(0)) await dropDatabase(database)
  })

  it('migrate a fresh database once and all come up', async () => {
    const database = freshDatabaseName()
    databases.push(database)
    await createDatabase(database)
    const started = await Promise.allSettled(Array.from({ length: 4 }, () => openStorage(loadConfig({ DATABASE_URL: databaseUrl(database) }), createLogger('silent'))))
    for (const instance of started) if (instance.status === 'fulfilled') await instance.value.close()
    expect(started.map((instance) => (instance.status === 'rejected' ? String(instance.reason) : 'up'))).toEqual(['up', 'up', 'up', 'up'])
    const sql = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    try {
      const applied = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations`
      expect(new Set(applied.map((row) => row.hash)).size).toBe(applied.length)
    } finally {
      await sql.end({ timeout: 1 })
    }
  })
})
