/**
 * Several instances of `assay serve` started at once on a new PostgreSQL
 * database make one demo board between them (red team 35b: each saw no board
 * and made its own, three "Wagner mutiny — Vilnius" boards for three
 * instances). The real command, in processes of their own, on a database of
 * the test's.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { DEMO_TITLE } from '../server/demo/seed-demo-board.ts'
import { serve, until, type Serving } from './helpers/served-process.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, tempDir } from './helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')
const INSTANCES = 3

const running: Serving[] = []
const folders: string[] = []
const databases: string[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((serving) => serving.kill()))
  for (const database of databases.splice(0)) await dropDatabase(database)
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

async function titlesIn(database: string): Promise<string[]> {
  const sql = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<{ title: string }[]>`select title from boards`
    return rows.map((row) => row.title)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

describeUnless(postgresMissing)('the demo board with several instances', () => {
  it(`${INSTANCES} instances started at once on a new database make one demo board`, async () => {
    const database = freshDatabaseName()
    databases.push(database)
    // Empty, as a new install's: the starts wait for one another's migration (its lock), then look for a board together.
    await createDatabase(database)
    const folder = tempDir('assay-demo-instances-')
    folders.push(folder)
    for (let instance = 0; instance < INSTANCES; instance++) {
      running.push(serve({ DATA_DIR: join(folder, `data-${instance}`), DATABASE_URL: databaseUrl(database), LOG_LEVEL: 'info' }))
    }
    for (const serving of running) await until(serving, () => serving.stdout().includes('Assay is running at'), 'the instance to serve')
    expect(await titlesIn(database)).toEqual([DEMO_TITLE])
    // One of them says it made it.
    expect(running.filter((serving) => serving.stdout().includes('created the demo board'))).toHaveLength(1)
  })
})
