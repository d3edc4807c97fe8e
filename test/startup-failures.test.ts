/**
 * The real `assay serve`, started as an operator starts it, on a configuration
 * or a database that cannot serve: it exits non-zero with one line naming the
 * setting and what to do, and never stays half-started (red team 30b: with
 * METRICS_PORT taken, or the demo board's write refused, it printed a stack
 * and went on serving with /readyz ready and no signal handling; a bad port,
 * host, database or URL was a stack trace). And a migration waiting for a
 * table's lock says for whom, and does not hold the running instances' writes
 * queued behind it for longer than its lock timeout.
 */
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate as pgMigrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterEach, describe, expect, it } from 'vitest'
import { olderMigrations } from './helpers/older-database.ts'
import { runCli } from './helpers/run-cli.ts'
import { exitCode, serve as startServe, START_MS, until, type Serving } from './helpers/served-process.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, tempDir } from './helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

/** The last migration before batch ids (0010), whose ALTER TABLE of board_updates a held reader makes wait. */
const BEFORE_BATCH_IDS = '0009_audit_log_by_action'

const running = new Set<Serving>()
const folders: string[] = []
afterEach(async () => {
  await Promise.all([...running].map((serving) => serving.kill()))
  running.clear()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function serve(env: Record<string, string>): Serving {
  const serving = startServe(env)
  running.add(serving)
  return serving
}

/** A port another process (a server of the test's) listens on. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, server }
}

function dataDir(): string {
  const folder = tempDir('assay-startup-')
  folders.push(folder)
  return join(folder, 'data')
}

describe('assay serve on a port or host it cannot listen on', () => {
  it('METRICS_PORT taken: exits 1 at once with one line naming it, before anyone is served on PORT', async () => {
    const taken = await takenPort()
    try {
      const started = serve({ DATA_DIR: dataDir(), METRICS_PORT: String(taken.port) })
      expect(await exitCode(started)).toBe(1)
      expect(started.stderr()).toMatch(new RegExp(`^assay: cannot listen on METRICS_PORT=${taken.port} on METRICS_HOST=127\\.0\\.0\\.1: another process listens there; stop it or set METRICS_PORT to a free port \\(EADDRINUSE\\)\\.\\n$`))
      expect(started.stdout()).not.toContain('Assay is running')
      expect(started.stdout()).not.toContain('assay is listening')
    } finally {
      taken.server.close()
    }
  }, START_MS * 2)

  it('PORT taken, HOST not on the machine or not resolving: one line naming the setting each, status 1', async () => {
    const taken = await takenPort()
    try {
      const cases: [Record<string, string>, RegExp][] = [
        [{ PORT: String(taken.port) }, new RegExp(`^assay: cannot listen on PORT=${taken.port} on HOST=127\\.0\\.0\\.1: another process listens there; stop it or set PORT to a free port \\(EADDRINUSE\\)\\.\\n$`)],
        // TEST-NET-1 (RFC 5737): never a machine's own address.
        [{ HOST: '192.0.2.1' }, /^assay: cannot listen on PORT=0 on HOST=192\.0\.2\.1: 192\.0\.2\.1 is not an address of this machine; set HOST to one of its addresses \(0\.0\.0\.0 for all\) \(EADDRNOTAVAIL\)\.\n$/],
        // .invalid never resolves (RFC 6761); without a name server the lookup fails otherwise, and still names HOST.
        [{ HOST: 'no-such-host.invalid' }, /^assay: cannot listen on PORT=0 on HOST=no-such-host\.invalid: .*set HOST to an address.* \((ENOTFOUND|EAI_AGAIN)\)\.\n$/],
      ]
      for (const [env, line] of cases) {
        const started = serve({ DATA_DIR: dataDir(), ...env })
        expect(await exitCode(started)).toBe(1)
        expect(started.stderr()).toMatch(line)
      }
    } finally {
      taken.server.close()
    }
  }, START_MS * 3)
})

describe('a malformed DATABASE_URL or REDIS_URL', () => {
  it('is one line of configuration error, status 1, not the driver’s TypeError', async () => {
    for (const [env, setting] of [
      [{ DATABASE_URL: 'postgres://po stgres@[::1/x' }, 'DATABASE_URL'],
      [{ DATABASE_URL: 'postgres://user:50%@db/x' }, 'DATABASE_URL'],
      [{ REDIS_URL: 'redis://[zz/0' }, 'REDIS_URL'],
    ] as const) {
      const started = serve({ DATA_DIR: dataDir(), ...env })
      expect(await exitCode(started)).toBe(1)
      expect(started.stderr()).toMatch(new RegExp(`^assay: Invalid configuration:\\n  ${setting}: is not a well-formed URL [^\\n]*\\n$`))
    }
  }, START_MS * 3)
})

describeUnless(postgresMissing)('assay serve on PostgreSQL', () => {
  const databases: string[] = []
  afterEach(async () => {
    for (const database of databases.splice(0)) await dropDatabase(database)
  })

  it('a database missing, a port closed: one line naming DATABASE_URL’s database or host, status 1', async () => {
    const missing = freshDatabaseName()
    const closed = await takenPort()
    closed.server.close()
    const closedUrl = new URL(databaseUrl(missing))
    closedUrl.host = `127.0.0.1:${closed.port}`
    for (const [url, line] of [
      [databaseUrl(missing), new RegExp(`^assay: DATABASE_URL names the database "${missing}", which does not exist on [^:]+:\\d+: create it .* \\(3D000\\)\\.\\n$`)],
      [closedUrl.toString(), new RegExp(`^assay: nothing accepts connections at 127\\.0\\.0\\.1:${closed.port}, DATABASE_URL's host and port: start PostgreSQL there or correct DATABASE_URL \\(ECONNREFUSED\\)\\.\\n$`)],
    ] as const) {
      const started = serve({ DATA_DIR: dataDir(), DATABASE_URL: url })
      expect(await exitCode(started)).toBe(1)
      expect(started.stderr()).toMatch(line)
    }
  }, START_MS * 2)

  /** A database of the test's own, migrated by `assay migrate`; its URL. */
  async function migratedDatabase(): Promise<string> {
    const database = freshDatabaseName()
    databases.push(database)
    await createDatabase(database)
    const url = databaseUrl(database)
    expect((await runCli(['migrate'], { DATA_DIR: dataDir(), DATABASE_URL: url, REDIS_URL: '' })).code).toBe(0)
    return url
  }

  it('whose first write is refused (a trigger stands in for a full disk): exits 1 with one line, having served nothing', async () => {
    const url = await migratedDatabase()
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(`
        create function refuse() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device' using errcode = '53100'; end $$;
        create trigger refuse before insert on boards for each row execute function refuse();
      `)
    } finally {
      await sql.end({ timeout: 1 })
    }
    const started = serve({ DATA_DIR: dataDir(), DATABASE_URL: url, LOG_LEVEL: 'info' })
    expect(await exitCode(started)).toBe(1)
    expect(started.stderr()).toMatch(/^assay: the database refused the first write \(creating the demo board\): could not extend file: No space left on device \(53100\); nothing was served: make the database writable and start again\.\n$/)
    expect(started.stdout()).not.toContain('assay is listening')
  }, START_MS * 2)

  /**
   * A database as the version before batch ids wrote it (migrations up to 0009), and a session holding
   * board_updates in a transaction, as pg_dump does: the migration's ALTER TABLE (0010) waits for it.
   */
  async function behindAndHeld(): Promise<{ url: string; readerPid: number; release(): Promise<void>; sql: postgres.Sql }> {
    const database = freshDatabaseName()
    databases.push(database)
    await createDatabase(database)
    const url = databaseUrl(database)
    const sql = postgres(url, { max: 3, onnotice: () => {} })
    await pgMigrate(drizzle({ client: sql }), { migrationsFolder: olderMigrations('postgres', dataDir(), BEFORE_BATCH_IDS) })
    let release = () => {}
    let readerPid = 0
    const held = new Promise<void>((resolve) => (release = resolve))
    let holding = () => {}
    const holds = new Promise<void>((resolve) => (holding = resolve))
    const reader = sql.begin(async (tx) => {
      const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid, (select count(*) from board_updates) as n`
      readerPid = row!.pid
      holding()
      await held
    })
    await holds
    return {
      url,
      readerPid,
      sql,
      async release() {
        release()
        await reader
      },
    }
  }

  type Held = Awaited<ReturnType<typeof behindAndHeld>>

  async function whileBehindAndHeld(test: (held: Held) => Promise<void>): Promise<void> {
    const held = await behindAndHeld()
    try {
      await test(held)
    } finally {
      await held.release()
      await held.sql.end({ timeout: 1 })
    }
  }

  /** Whether board_updates has the column the migrations undone add (0010). */
  async function lastMigrationApplied(sql: postgres.Sql): Promise<boolean> {
    const [row] = await sql<{ n: string }[]>`select count(*) as n from information_schema.columns where table_name = 'board_updates' and column_name = 'batch_id'`
    return Number(row!.n) === 1
  }

  /** A write's lock on board_updates, as a running instance's commit takes it; refused past `lockTimeoutMs` of waiting. */
  async function writeLock(sql: postgres.Sql, lockTimeoutMs: number): Promise<void> {
    await sql.begin(async (tx) => {
      await tx.unsafe(`set local lock_timeout = '${lockTimeoutMs}ms'`)
      await tx.unsafe('lock table board_updates in row exclusive mode')
    })
  }

  it('a migration waiting for a table’s lock says who holds it, and lets the running instances’ writes through', async () => {
    await whileBehindAndHeld(async (held) => {
      const started = serve({ DATA_DIR: dataDir(), DATABASE_URL: held.url, LOG_LEVEL: 'info', DATABASE_MIGRATION_LOCK_TIMEOUT_MS: '200' })
      await until(started, () => started.stdout().includes(`migrating; waiting for a lock held by pid ${held.readerPid} (`), 'the line saying who holds the lock')
      // Each would wait behind a queued ALTER TABLE for as long as the reader holds on; the migration lets go after 200 ms.
      for (let write = 0; write < 5; write++) await writeLock(held.sql, 5000)
      expect(started.stdout()).not.toContain('Assay is running')
      await held.release()
      await until(started, () => started.stdout().includes('Assay is running'), 'the server to start once the lock is released')
      expect(await lastMigrationApplied(held.sql)).toBe(true)
    })
  }, START_MS * 3)

  it('gives up after DATABASE_MIGRATION_WAIT_MS with one line naming the session in the way, status 1', async () => {
    await whileBehindAndHeld(async (held) => {
      const started = serve({ DATA_DIR: dataDir(), DATABASE_URL: held.url, DATABASE_MIGRATION_LOCK_TIMEOUT_MS: '200', DATABASE_MIGRATION_WAIT_MS: '3000' })
      expect(await exitCode(started)).toBe(1)
      expect(started.stderr()).toMatch(new RegExp(`^assay: migrating the database: gave up after \\d+ s waiting for a table's lock, held by pid ${held.readerPid} \\([^\\n]*\\): end that session .*DATABASE_MIGRATION_WAIT_MS \\(3000 ms\\)\\.\\n$`))
      expect(await lastMigrationApplied(held.sql)).toBe(false)
    })
  }, START_MS * 2)
})
