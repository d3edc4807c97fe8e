/**
 * PostgreSQL's migrations, one instance at a time, without stalling the
 * instances already serving.
 *
 * A migration that alters a table needs its ACCESS EXCLUSIVE lock, which waits
 * for every session holding any lock on it (a pg_dump, a report left idle in a
 * transaction); and while it waits in PostgreSQL's queue, every later request
 * for the table, a running instance's commit among them, queues behind it. So
 * each attempt waits at most DATABASE_MIGRATION_LOCK_TIMEOUT_MS (lock_timeout:
 * the running instances' commits are held that long at most), then lets go and
 * tries again after a pause that doubles, while the commits go through, until
 * DATABASE_MIGRATION_WAIT_MS have passed: then it gives up with a line naming
 * the session in the way. All pending migrations run in one transaction
 * (Drizzle's migrator), so an attempt refused leaves nothing half-done. While
 * an attempt waits, who it waits for is logged.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.ts'
import { projectPath } from '../project-root.ts'
import { StartupError } from '../startup-error.ts'
import { codesOf } from './storage-errors.ts'
import { errorMessage } from '../../shared/error-message.ts'

const MIGRATIONS = projectPath('drizzle', 'pg')

/** PostgreSQL's SQLSTATE for a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03'
/** The pause after the first refused attempt; it doubles up to the longest. */
const FIRST_PAUSE_MS = 500
const LONGEST_PAUSE_MS = 10_000
/** How often, at most, the session holding the lock an attempt waits for is looked up (twice an attempt when they are shorter). */
const LOOK_UP_MS = 1000

export type MigrationOptions = {
  url: string
  connectTimeoutMs: number
  /** How long one attempt may wait for a table's lock (and hold the writes queued behind it). */
  lockTimeoutMs: number
  /** How long, in all, attempts go on before the start gives up. */
  waitMs: number
  logger: Logger
  /** postgres.js's options every connection of the process shares. */
  clientOptions: postgres.Options<Record<string, never>>
  /** The client as Drizzle gets it (postgres.ts: a transaction that does not outlive its connection). */
  wrap: (client: postgres.Sql) => postgres.Sql
}

/**
 * Instances starting together (a fleet's first start, a rolling upgrade) would
 * race to create the same tables; one session lock lets one migrate while the
 * others wait and then find nothing left to do. Ending the session releases it.
 * Migrations run without the statement timeout: one may rightly take long.
 */
export async function migrateOneAtATime(options: MigrationOptions): Promise<void> {
  const connection = { ...options.clientOptions, max: 1, connect_timeout: options.connectTimeoutMs / 1000 }
  const client = postgres(options.url, connection)
  // Connects only when an attempt has waited: who holds the lock is asked on a connection of its own.
  const lookUp = postgres(options.url, { ...connection, connection: { application_name: 'assay-migration-watch' } })
  try {
    const [own] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`
    const pid = own!.pid
    const watch = new LockWatch(lookUp, pid, options.logger, Math.min(LOOK_UP_MS, options.lockTimeoutMs / 2))
    // Another instance migrating holds this for as long as its migration takes: no lock_timeout yet.
    await watch.during(client`select pg_advisory_lock(hashtext('assay-migrations'))`)
    await client`select set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, false)`
    const db = drizzle({ client: options.wrap(client) })
    const start = performance.now()
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        await watch.during(migrate(db, { migrationsFolder: MIGRATIONS }))
        return
      } catch (error) {
        if (!codesOf(error).includes(LOCK_NOT_AVAILABLE)) throw error
        const waited = performance.now() - start
        if (waited + pause > options.waitMs) {
          throw new StartupError(
            `migrating the database: gave up after ${Math.round(waited / 1000)} s waiting for a table's lock${watch.lastHolders ? `, held by ${watch.lastHolders}` : ''}: end that session (or wait for it to finish) and start again, or raise DATABASE_MIGRATION_WAIT_MS (${options.waitMs} ms).`,
            { cause: error },
          )
        }
        options.logger.debug({ waitedMs: Math.round(waited), pauseMs: pause }, 'migrating: a table’s lock was not granted within DATABASE_MIGRATION_LOCK_TIMEOUT_MS; trying again')
        await sleep(pause)
      }
    }
  } finally {
    await Promise.all([client.end({ timeout: 5 }), lookUp.end({ timeout: 5 })])
  }
}

type Holder = { pid: number; application_name: string; state: string | null; since: Date | null; query: string | null }

/** Looks up, while a statement of the migrating session waits, who holds what it waits for; each new set of holders is logged once. */
class LockWatch {
  /** The holders last seen, as logged. */
  lastHolders: string | undefined
  private reported = ''

  constructor(
    private readonly lookUp: postgres.Sql,
    private readonly pid: number,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  async during<T>(work: Promise<T>): Promise<T> {
    let done = false
    const settled = work.finally(() => (done = true))
    const watching = (async () => {
      for (;;) {
        await Promise.race([sleep(this.intervalMs), settled.catch(() => {})])
        if (done) return
        await this.look()
      }
    })()
    try {
      return await settled
    } finally {
      await watching
    }
  }

  private async look(): Promise<void> {
    let holders: Holder[]
    try {
      holders = await this.lookUp<Holder[]>`
        select pid, application_name, state, coalesce(xact_start, backend_start) as since, left(query, 120) as query
        from pg_stat_activity where pid = any(pg_blocking_pids(${this.pid})) order by pid`
    } catch (error) {
      // Only the report is lost: the migration goes on.
      this.logger.debug({ err: errorMessage(error) }, 'migrating: could not look up who holds the lock it waits for')
      return
    }
    if (holders.length === 0) return
    const described = holders.map(describe).join('; ')
    this.lastHolders = described
    const key = holders.map((holder) => holder.pid).join(',')
    if (key === this.reported) return
    this.reported = key
    this.logger.warn({ holders: holders.map((holder) => holder.pid) }, `migrating; waiting for a lock held by ${described}`)
  }
}

function describe(holder: Holder): string {
  const what = [
    holder.application_name ? `application "${holder.application_name}"` : undefined,
    holder.state ?? undefined,
    holder.since ? `since ${holder.since.toISOString()}` : undefined,
    holder.query ? `last statement: ${JSON.stringify(holder.query)}` : undefined,
  ].filter((part) => part !== undefined)
  return `pid ${holder.pid} (${what.join(', ')})`
}
