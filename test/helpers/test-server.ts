/**
 * A real server on port 0 with a real database of its own: SQLite in a fresh
 * temporary folder, or a fresh schema in the machine's PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import postgres from 'postgres'
import { compiledScript } from './compiled-processes.ts'
import { openAccess } from './open-access.ts'
import type { Clock } from '../../server/clock.ts'
import { loadConfig, type Config } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { startServer, type RunningServer } from '../../server/server.ts'
import type { ServiceOptions } from '../../server/services.ts'
import { openStorage } from '../../server/storage/open-storage.ts'
import type { Storage } from '../../server/storage/storage.ts'

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export type Dialect = 'sqlite' | 'postgres'

export type TestServer = RunningServer & {
  wsUrl: string
  dataDir: string
  /** The PostgreSQL database name (unused for SQLite). */
  database: string
  config: Config
  /** Stops the server, keeping its database, and starts a new one on it. */
  restart(): Promise<TestServer>
  /** Stops the server and removes its database. */
  destroy(): Promise<void>
}

export function tempDir(prefix = 'assay-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A storage of the dialect in a fresh place: a folder for SQLite, a database of its own for PostgreSQL. */
export async function openTestStorage(dialect: Dialect, dataDir: string, database: string, clock?: Clock): Promise<Storage> {
  return openStorage(loadConfig({ DATA_DIR: dataDir, ...storageEnv(dialect, database) }), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), clock)
}

/** A storage of the dialect in a place of its own (a new folder; for PostgreSQL a new database), and its removal. */
export type FreshStorage = { storage: Storage; destroy(): Promise<void> }

export async function openFreshStorage(dialect: Dialect, clock?: Clock): Promise<FreshStorage> {
  const dataDir = tempDir()
  const database = freshDatabaseName()
  const ownDatabase = dialect === 'postgres' ? database : null
  const storage = await removedOnFailure(dataDir, ownDatabase, async () => {
    if (ownDatabase) await createMigratedDatabase(ownDatabase)
    return openTestStorage(dialect, dataDir, database, clock)
  })
  return {
    storage,
    async destroy() {
      await storage.close()
      await removePlace(dataDir, ownDatabase)
    },
  }
}

/** Removes a test's folder and, when it made one, its PostgreSQL database. */
async function removePlace(dataDir: string, ownDatabase: string | null): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true })
  if (ownDatabase) await dropDatabase(ownDatabase)
}

/** What `open` makes in a test's fresh folder and database, both removed when it fails: nothing is left of a failed start. */
async function removedOnFailure<T>(dataDir: string, ownDatabase: string | null, open: () => Promise<T>): Promise<T> {
  try {
    return await open()
  } catch (error) {
    await removePlace(dataDir, ownDatabase)
    throw error
  }
}

function storageEnv(dialect: Dialect, database: string): Record<string, string> {
  return dialect === 'postgres' ? { DATABASE_URL: databaseUrl(database) } : {}
}

export function freshDatabaseName(): string {
  return `assay_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
}

/** The URL of one of the machine's PostgreSQL databases, e.g. for a server in a child process. */
export function databaseUrl(database: string): string {
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${database}`
  return url.toString()
}

async function onPostgres(statement: string): Promise<void> {
  const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(statement)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

export const createDatabase = (database: string) => onPostgres(`create database "${database}"`)

/** Names the run's migrated database (migrated-template.ts), for the tests' processes. */
export const MIGRATED_TEMPLATE_ENV = 'ASSAY_TEST_MIGRATED_TEMPLATE'

/**
 * A database with every migration applied: a copy of the run's migrated
 * template (migrated-template.ts), which takes a fraction of the time the
 * migrations do; without one (a run without PostgreSQL at its start, or a
 * script outside Vitest), an empty one that its first user migrates. Tests of
 * the migrations themselves start from an empty database (createDatabase).
 */
export function createMigratedDatabase(database: string): Promise<void> {
  const template = process.env[MIGRATED_TEMPLATE_ENV]
  return template ? onPostgres(`create database "${database}" template "${template}"`) : createDatabase(database)
}
export const dropDatabase = (database: string) => onPostgres(`drop database if exists "${database}" with (force)`)

export type TestServerOptions = Omit<ServiceOptions, 'storage' | 'logger'> & {
  dialect?: Dialect
  env?: Record<string, string>
  /**
   * Real accounts, sessions, tokens and memberships. Without it (and without
   * `access`) the server runs with open access: everyone an editor, no credential.
   */
  accounts?: boolean
  /** Receives every log line (level debug), e.g. to check that no secret is logged. */
  logSink?: (line: string) => void
  /** An existing PostgreSQL database to share with another test server (several instances); its creator drops it. */
  database?: string
  /** Puts something between the server and its storage, e.g. a failure the test controls. */
  wrapStorage?: (storage: Storage) => Storage
}

/**
 * Where the server's worker threads start: under Vitest, from the worker
 * script the global set-up compiled for this run, since a thread started from
 * the TypeScript sources loads tsx and the sources through it, 1.1 to 1.4 s
 * of CPU for a server's first worker job (a snapshot, an import) against
 * 0.3 s, in every test that starts a server. A script outside Vitest (a
 * bench) has no such build and starts them from the sources. The pool's own
 * tests (server/workers) still start threads from the sources.
 */
export function workerEntry(): URL | undefined {
  if (!process.env.VITEST) return undefined
  return pathToFileURL(compiledScript(fileURLToPath(new URL('../../server/workers/worker-thread.ts', import.meta.url))))
}

/**
 * A start that fails (a setting refused with a ConfigError, a port taken)
 * leaves nothing behind: its storage is closed, its folder removed and its
 * database dropped, as `destroy` would. A failed `restart` closes what it
 * opened and leaves the folder and database to the server's `destroy`.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dialect = options.dialect ?? 'sqlite'
  const database = options.database ?? freshDatabaseName()
  const ownDatabase = dialect === 'postgres' && options.database === undefined ? database : null
  const dataDir = tempDir()
  const start = async (): Promise<TestServer> => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...storageEnv(dialect, database), ...options.env })
    const sink = options.logSink
    const logger = sink ? createLogger('debug', { write: (line: string) => sink(line) }) : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
    const storage = await openStorage(config, logger, options.clock)
    const access = options.access ?? (options.accounts ? undefined : () => openAccess())
    // The server closes what it opened when its start fails, never the storage it was given.
    const running = await servedOrClosed(storage, () => {
      const served = options.wrapStorage ? options.wrapStorage(storage) : storage
      return startServer(config, { workerEntry: workerEntry(), ...options, access, storage: served, logger })
    })
    let stopping: Promise<void> | undefined
    const stop = () => {
      stopping ??= running.close().then(() => storage.close())
      return stopping
    }
    return {
      ...running,
      wsUrl: running.url.replace(/^http/, 'ws') + '/ws',
      database,
      dataDir,
      config,
      close: stop,
      async restart() {
        await stop()
        return start()
      },
      async destroy() {
        await stop()
        await removePlace(dataDir, ownDatabase)
      },
    }
  }
  return removedOnFailure(dataDir, ownDatabase, async () => {
    if (ownDatabase) await createMigratedDatabase(ownDatabase)
    return start()
  })
}

async function servedOrClosed(storage: Storage, serve: () => Promise<RunningServer>): Promise<RunningServer> {
  try {
    return await serve()
  } catch (error) {
    await storage.close()
    throw error
  }
}
