/**
 * Several instances of `assay serve` started at once on a new PostgreSQL
 * database make one demo board between them (red team 35b: each saw no board
 * and made its own, three "Wagner mutiny — Vilnius" boards for three
 * instances). The real command, in processes of their own, on a database of
 * the test's. The test makes them meet: it holds the boards table locked
 * against inserts (a lock that lets them read it) until every instance waits
 * at its board's creation, so each has looked for a board and found none
 * before any makes one, however slowly each starts.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { DEMO_TITLE } from '../server/demo/seed-demo-board.ts'
import { serve, START_MS, until, type Serving } from './helpers/served-process.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, openTestStorage, tempDir } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

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

async function titlesIn(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ title: string }[]>`select title from boards`
  return rows.map((row) => row.title)
}

/** Sessions on `database` waiting for a lock at a board's creation: the table lock taken to look for a board, or the board's insert. */
async function waitingToCreate(sql: postgres.Sql, database: string): Promise<number> {
  const [row] = await sql<{ waiting: number }[]>`
    select count(*)::int as waiting from pg_stat_activity
    where datname = ${database} and wait_event_type = 'Lock' and (query ilike 'lock table "boards"%' or query ilike 'insert into "boards"%')`
  return row!.waiting
}

describeUnless(postgresMissing)('the demo board with several instances', () => {
  it(`${INSTANCES} instances started at once on a new database make one demo board`, async () => {
    const database = freshDatabaseName()
    databases.push(database)
    const folder = tempDir('assay-demo-instances-')
    folders.push(folder)
    // Migrated, with no board, as a new install's once its first start has migrated it: the test needs its boards table.
    await createMigratedDatabase(database)
    await (await openTestStorage('postgres', join(folder, 'migrating'), database)).close()
    const sql = postgres(databaseUrl(database), { max: 2, onnotice: () => {} })
    try {
      // SHARE: the instances read the table (each finds no board), but neither insert into it nor take the lock that
      // looks for a board; so all of them are at their board's creation before any makes one.
      const holder = await sql.reserve()
      try {
        await holder`begin`
        await holder`lock table boards in share mode`
        for (let instance = 0; instance < INSTANCES; instance++) {
          running.push(serve({ DATA_DIR: join(folder, `data-${instance}`), DATABASE_URL: databaseUrl(database), LOG_LEVEL: 'info' }))
        }
        await waitFor(async () => (await waitingToCreate(sql, database)) === INSTANCES, 'every instance to wait at its board\'s creation', START_MS)
        await holder`commit`
      } finally {
        holder.release()
      }
      for (const serving of running) await until(serving, () => serving.stdout().includes('Assay is running at'), 'the instance to serve')
      expect(await titlesIn(sql)).toEqual([DEMO_TITLE])
    } finally {
      await sql.end({ timeout: 1 })
    }
    // One of them says it made it.
    expect(running.filter((serving) => serving.stdout().includes('created the demo board'))).toHaveLength(1)
  })
})
