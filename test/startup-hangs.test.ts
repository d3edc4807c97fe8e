/**
 * The real `assay serve` on a PostgreSQL that stops answering once the
 * connection is open (a frozen database host, a half-open network: the test
 * proxy holds back one statement for good), or that cannot serve (read-only
 * after a failover, a statement timing out): the start exits 1 within its
 * bound with one line, and a start stuck part-way never blocks another
 * instance's start for good (red team 31a: each of these hung without a word,
 * a stuck start's session held the migration lock for every other start, and
 * a read-only database or a timeout printed "unexpected error" with a stack).
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { exitCode, serve, START_MS, until, type Serving } from './helpers/served-process.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts'
import { createDatabase, createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, POSTGRES_URL, tempDir } from './helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

/** Short bounds, so that each hang ends soon: the serving lock's try within 2 × 2 s, the migration's silence 2 + 2 s. */
const BOUNDS = { DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_MIGRATION_WAIT_MS: '2000' }

const running: Serving[] = []
const folders: string[] = []
const databases: string[] = []
let proxy: TcpProxy | undefined
afterEach(async () => {
  await Promise.all(running.splice(0).map((serving) => serving.kill()))
  await proxy?.close()
  proxy = undefined
  for (const database of databases.splice(0)) await dropDatabase(database)
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function started(env: Record<string, string>): Serving {
  const folder = tempDir('assay-start-hang-')
  folders.push(folder)
  const serving = serve({ DATA_DIR: join(folder, 'data'), ...BOUNDS, ...env })
  running.push(serving)
  return serving
}

/** A database of the test's own: empty (migrated by the start) or `migrated` already. */
async function ownDatabase(migrated = false): Promise<string> {
  const database = freshDatabaseName()
  databases.push(database)
  await (migrated ? createMigratedDatabase(database) : createDatabase(database))
  return database
}

/** The URL of `database` through a proxy of the test's that holds back, for good, the first statement matching `held`. */
async function throughProxyHolding(database: string, held: RegExp): Promise<{ url: string; arrived: Promise<void> }> {
  const target = new URL(POSTGRES_URL)
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  const url = new URL(databaseUrl(database))
  url.host = `127.0.0.1:${proxy.port}`
  return { url: url.toString(), arrived: proxy.holdRequests(held).held }
}

/** A start on a database of its own, stuck in its migration (a statement held back for good, the migration lock held). */
async function stuckPartWay(env: Record<string, string>): Promise<{ database: string; stuck: Serving }> {
  const database = await ownDatabase()
  const { url, arrived } = await throughProxyHolding(database, /__drizzle_migrations/)
  const stuck = started({ DATABASE_URL: url, ...env })
  await arrived
  return { database, stuck }
}

/** The one line of a database that stopped answering, naming the proxy's port and the deadline. */
const stoppedAnswering = (port: number, ms: number) =>
  new RegExp(`^assay: PostgreSQL at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\) stopped answering: the database said nothing for ${ms} ms; [^\\n]*\\(ASSAY_DATABASE_SILENT\\)\\.\\n$`)

describeUnless(postgresMissing)('assay serve on a PostgreSQL that stops answering at start', () => {
  it.each([
    ['the serving lock’s statement (exits once unanswered twice DATABASE_CONNECT_TIMEOUT_MS)', /pg_try_advisory_lock_shared/],
    ['the migration lock’s statement (exits once silent DATABASE_MIGRATION_WAIT_MS and 2 s more)', /assay-migrations/],
  ])('%s unanswered: exits 1 with one line', async (_, held) => {
    const { url } = await throughProxyHolding(await ownDatabase(), held)
    const serving = started({ DATABASE_URL: url })
    expect(await exitCode(serving)).toBe(1)
    expect(serving.stderr()).toMatch(stoppedAnswering(proxy!.port, 4000))
  }, START_MS * 2)

  it('a migration’s statement unanswered: exits 1 with one line; another start meanwhile waits DATABASE_MIGRATION_WAIT_MS at most, naming its session', async () => {
    // Silent for 22 s before it gives up: the other start gives up long before.
    const { database, stuck } = await stuckPartWay({ DATABASE_MIGRATION_WAIT_MS: '20000' })
    const other = started({ DATABASE_URL: databaseUrl(database) })
    expect(await exitCode(other)).toBe(1)
    expect(other.stderr()).toMatch(
      /^assay: migrating the database: gave up after \d+ s waiting for another instance's migration, held by pid \d+ \(application "assay-migration", idle[^\n]*\): end that session .*DATABASE_MIGRATION_WAIT_MS \(2000 ms\)\.\n$/,
    )
    expect(await exitCode(stuck)).toBe(1)
    expect(stuck.stderr()).toMatch(stoppedAnswering(proxy!.port, 22_000))
  }, START_MS * 3)

  it('a start stuck part-way whose process froze: PostgreSQL ends its session, and another start migrates and serves', async () => {
    const { database, stuck } = await stuckPartWay({})
    // Its own silence deadline never runs: only PostgreSQL can end its session, and the migration lock with it.
    stuck.freeze()
    const other = started({ DATABASE_URL: databaseUrl(database), DATABASE_MIGRATION_WAIT_MS: '60000', LOG_LEVEL: 'info' })
    await until(other, () => other.stdout().includes('Assay is running'), 'the other start to serve')
  }, START_MS * 2)
})

describeUnless(postgresMissing)('assay serve on a PostgreSQL that cannot serve', () => {
  it('read-only (a standby after a failover): exits 1 with one line naming it', async () => {
    const database = await ownDatabase()
    const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(`alter database "${database}" set default_transaction_read_only = on`)
    } finally {
      await sql.end({ timeout: 1 })
    }
    const serving = started({ DATABASE_URL: databaseUrl(database) })
    expect(await exitCode(serving)).toBe(1)
    expect(serving.stderr()).toMatch(/^assay: PostgreSQL at [^:]+:\d+ is read-only: cannot execute [^\n]* in a read-only transaction \(a standby, [^\n]*: point DATABASE_URL at the primary[^\n]* \(25006\)\.\n$/)
  }, START_MS * 2)

  it('a statement timing out (a table locked by another session): exits 1 with one line naming the timeout', async () => {
    const database = await ownDatabase(true)
    const holder = postgres(databaseUrl(database), { max: 1, onnotice: () => {} })
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    let locked = () => {}
    const holds = new Promise<void>((resolve) => (locked = resolve))
    const holding = holder.begin(async (tx) => {
      await tx.unsafe('lock table exclusive_writes in access exclusive mode')
      locked()
      await released
    })
    try {
      await holds
      const serving = started({ DATABASE_URL: databaseUrl(database) })
      expect(await exitCode(serving)).toBe(1)
      expect(serving.stderr()).toMatch(/^assay: PostgreSQL at [^:]+:\d+ cancelled a statement: canceling statement due to statement timeout \(past DATABASE_STATEMENT_TIMEOUT_MS=1000, [^\n]* \(57014\)\.\n$/)
    } finally {
      release()
      await holding
      await holder.end({ timeout: 1 })
    }
  }, START_MS * 2)
})
