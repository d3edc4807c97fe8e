/**
 * A start-up that fails partway closes whatever it had opened before the step
 * that failed: the real server, started in this process and in one of its own,
 * with faults that stop it at different steps. Before, a failure inside
 * createServices (Redis refusing its database after the database opened, the
 * admin account's write refused once Redis, the relay's connections and the
 * worker pool were up), in openSqliteStorage (a migration refused), or right after createServices (the serving lock's first read of the
 * database) left the SQLite handle, the PostgreSQL pool and the Redis
 * connections open: `assay serve` exited only because main.ts calls
 * process.exit, and a process that did not stayed up.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { SQLITE_FILE_NAME } from '../server/storage/sqlite.ts'
import { startServer } from '../server/server.ts'
import { innermostMessage } from '../server/startup-error.ts'
import { compiledScript } from './helpers/compiled-processes.ts'
import { startOwnRedis, type OwnRedis } from './helpers/own-redis.ts'
import { runCli } from './helpers/run-cli.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, REDIS_URL, tempDir, workerEntry } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const START_OR_FAIL = compiledScript(fileURLToPath(new URL('./helpers/start-or-fail.ts', import.meta.url)))
/** Starting and failing, on a loaded machine too. */
const START_MS = 60_000
/** How long what a failed start left may take to be gone (a PostgreSQL backend ending after its client closed). */
const GONE_MS = 10_000
/** A database outside REDIS_URL's server's `databases` (16 by default): Redis refuses it, after the database is open. */
const NO_SUCH_REDIS_DATABASE = 999
/** Longer than the test waits: a pool left open keeps its idle connections (idle_timeout follows it) past GONE_MS. */
const LONG_STATEMENT_TIMEOUT_MS = '120000'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dataDir(): string {
  const folder = tempDir('assay-startup-closes-')
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }))
  return join(folder, 'data')
}

/** This process's open files under `folder` (the SQLite database, its WAL, the lock files). */
function filesOpenUnder(folder: string): string[] {
  const open: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      if (target.startsWith(folder)) open.push(target)
    } catch {
      // Closed between the listing and the read: not open.
    }
  }
  return open
}

/** The start's failure; a start that succeeded fails the test (and is closed). */
async function startFailure(env: Record<string, string>): Promise<Error> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', REDIS_URL: '', DATABASE_URL: '', ...env })
  const outcome = await startServer(config, { workerEntry: workerEntry(), logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') }).then(
    async (running) => {
      await running.close()
      return new Error('the server started')
    },
    (error: unknown) => error as Error,
  )
  expect(outcome.message).not.toBe('the server started')
  return outcome
}

async function takenPort(): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return server
}

describe('a start on SQLite that fails', () => {
  it('with Redis refusing its database, after the database opened: the SQLite file and the locks are let go', async () => {
    const folder = dataDir()
    const failure = await startFailure({ DATA_DIR: folder, REDIS_URL: `${REDIS_URL}/${NO_SUCH_REDIS_DATABASE}` })
    expect(failure.message).toMatch(new RegExp(`^REDIS_URL: Redis refused database ${NO_SUCH_REDIS_DATABASE} `))
    await waitFor(() => filesOpenUnder(folder).length === 0, `no file under DATA_DIR open (open: ${filesOpenUnder(folder).join(', ')})`, GONE_MS)
  }, START_MS)

  it('with its migration refused (another connection holds the write lock): the SQLite file is let go', async () => {
    const folder = dataDir()
    mkdirSync(folder, { recursive: true })
    const holder = new Database(join(folder, SQLITE_FILE_NAME))
    holder.pragma('journal_mode = WAL')
    holder.exec('begin immediate')
    let failure: Error
    try {
      failure = await startFailure({ DATA_DIR: folder })
    } finally {
      holder.exec('rollback')
      holder.close()
    }
    expect(innermostMessage(failure)).toBe('database is locked')
    await waitFor(() => filesOpenUnder(folder).length === 0, `no file under DATA_DIR open (open: ${filesOpenUnder(folder).join(', ')})`, GONE_MS)
  }, START_MS)

  it('with METRICS_PORT taken, once everything else was up: the files are let go and PORT is not listened on', async () => {
    const folder = dataDir()
    const taken = await takenPort()
    const failure = await startFailure({ DATA_DIR: folder, METRICS_PORT: String((taken.address() as AddressInfo).port) })
    expect(failure.message).toContain('(EADDRINUSE)')
    await waitFor(() => filesOpenUnder(folder).length === 0, `no file under DATA_DIR open (open: ${filesOpenUnder(folder).join(', ')})`, GONE_MS)
  }, START_MS)

  it('`assay serve` exits 1 with its one line', async () => {
    const served = await runCli(['serve'], { DATA_DIR: dataDir(), PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: `${REDIS_URL}/${NO_SUCH_REDIS_DATABASE}` })
    expect(served.code).toBe(1)
    expect(served.stderr).toMatch(new RegExp(`^assay: REDIS_URL: Redis refused database ${NO_SUCH_REDIS_DATABASE} \\([^\\n]*\\): not starting\\. [^\\n]*\\n$`))
  }, START_MS)
})

const missing = await missingServices('postgres', 'redis-server')

describeUnless(missing)('a start on PostgreSQL and Redis that fails', () => {
  /** A migrated database of the test's own, `prepared` by the statements given; its URL. */
  async function database(prepared: string): Promise<{ url: string; name: string }> {
    const name = freshDatabaseName()
    await createMigratedDatabase(name)
    cleanups.push(() => dropDatabase(name))
    const sql = postgres(databaseUrl(name), { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(prepared)
    } finally {
      await sql.end({ timeout: 1 })
    }
    return { url: databaseUrl(name), name }
  }

  async function ownRedis(): Promise<OwnRedis> {
    const redis = await startOwnRedis()
    cleanups.push(() => redis.stop())
    return redis
  }

  /** The sessions connected to database `name`, by application name. */
  async function sessionsOn(name: string): Promise<string[]> {
    const sql = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} })
    try {
      const rows = await sql<{ application_name: string }[]>`select application_name from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`
      return rows.map((row) => row.application_name)
    } finally {
      await sql.end({ timeout: 1 })
    }
  }

  /** The connections of a Redis server other than the one asking, by name. */
  async function redisClients(url: string): Promise<string[]> {
    const probe = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null })
    try {
      const list = (await probe.client('LIST')) as string
      const self = Number(await probe.client('ID'))
      return list
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith(`id=${self} `))
        .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
    } finally {
      probe.disconnect()
    }
  }

  /** Waits until nothing of the failed start is connected to the database or to Redis. */
  async function nothingLeft(name: string, redisUrl: string): Promise<void> {
    let left: string[] = []
    await waitFor(
      async () => {
        left = [...(await sessionsOn(name)).map((app) => `postgres ${app}`), ...(await redisClients(redisUrl)).map((client) => `redis ${client}`)]
        return left.length === 0
      },
      'nothing of the failed start still connected',
      GONE_MS,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; still connected: ${left.join(', ')}`)
    })
  }

  /** The admin account's write refused: the last step of createServices that can fail, after Redis, the relay's connections and the rights channel are up. */
  const REFUSE_ADMIN = `
    create function refuse() returns trigger language plpgsql as $$ begin raise exception 'refused for the test' using errcode = '42501'; end $$;
    create trigger refuse before insert on users for each row execute function refuse();
  `
  const ADMIN = { ASSAY_ADMIN_EMAIL: 'admin@example.org', ASSAY_ADMIN_PASSWORD: 'a long enough password' }

  it('at the admin account’s write, inside createServices: no database session and no Redis connection is left', async () => {
    const { url, name } = await database(REFUSE_ADMIN)
    const redis = await ownRedis()
    const failure = await startFailure({ DATA_DIR: dataDir(), DATABASE_URL: url, REDIS_URL: redis.url, DATABASE_STATEMENT_TIMEOUT_MS: LONG_STATEMENT_TIMEOUT_MS, ...ADMIN })
    expect(innermostMessage(failure)).toBe('refused for the test')
    await nothingLeft(name, redis.url)
  }, START_MS)

  it('at the serving lock’s first read, once the services were made: no database session and no Redis connection is left', async () => {
    const { url, name } = await database('alter table exclusive_writes rename to exclusive_writes_elsewhere')
    const redis = await ownRedis()
    const failure = await startFailure({ DATA_DIR: dataDir(), DATABASE_URL: url, REDIS_URL: redis.url, DATABASE_STATEMENT_TIMEOUT_MS: LONG_STATEMENT_TIMEOUT_MS })
    expect(innermostMessage(failure)).toContain('exclusive_writes')
    await nothingLeft(name, redis.url)
  }, START_MS)

  it('in a process of its own, which then ends by itself (no process.exit) with status 1 and its one line', async () => {
    const { url } = await database(REFUSE_ADMIN)
    const redis = await ownRedis()
    const child = spawn(process.execPath, [START_OR_FAIL], {
      env: { ...process.env, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir(), DATABASE_URL: url, REDIS_URL: redis.url, DATABASE_STATEMENT_TIMEOUT_MS: LONG_STATEMENT_TIMEOUT_MS, ...ADMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    })
    let code: number | null | undefined
    void exited.then((exitCode) => (code = exitCode))
    await waitFor(() => code !== undefined, 'the process to end by itself', START_MS / 2).catch((error: unknown) => {
      throw new Error(`${String(error)}; its output: ${output}`)
    })
    expect(code).toBe(1)
    expect(output).toMatch(/^[^\n]*refused for the test[^\n]*\n$/)
  }, START_MS)
})
