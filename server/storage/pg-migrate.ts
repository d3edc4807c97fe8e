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
 *
 * Nothing here waits longer than DATABASE_MIGRATION_WAIT_MS either, however
 * PostgreSQL or the network fails (migrateOneAtATime).
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.ts'
import { projectPath } from '../project-root.ts'
import { innermostMessage, StartupError } from '../startup-error.ts'
import { codesOf } from './storage-errors.ts'
import { boundedStatements, SILENCE_MARGIN_MS, type SocketOption } from './pg-pool-sockets.ts'
import { errorMessage } from '../../shared/error-message.ts'

const MIGRATIONS = projectPath('drizzle', 'pg')

/** PostgreSQL's SQLSTATE for a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03'
/** PostgreSQL's SQLSTATE for a statement cancelled: past statement_timeout here. */
const QUERY_CANCELED = '57014'
/** The pause after the first refused attempt; it doubles up to the longest. */
const FIRST_PAUSE_MS = 500
const LONGEST_PAUSE_MS = 10_000
/** How often, at most, the session holding the lock an attempt waits for is looked up (twice an attempt when they are shorter). */
const LOOK_UP_MS = 1000

export type MigrationOptions = {
  url: string
  connectTimeoutMs: number
  /** The running pool's statement timeout, to which the look-ups of who holds a lock are held. */
  statementTimeoutMs: number
  /** How long one attempt may wait for a table's lock (and hold the writes queued behind it). */
  lockTimeoutMs: number
  /** How long, in all, waiting for another instance's migration and attempts go on before the start gives up; and the longest one statement may run. */
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
 *
 * A migration's statement may rightly take long, so the migrating session's
 * statement timeout is DATABASE_MIGRATION_WAIT_MS rather than the pool's; it
 * ends waiting for another instance's migration too. As on the pool's
 * connections, one on which PostgreSQL said nothing for 2 s more is dropped
 * (the host frozen, the network half-open), and PostgreSQL ends the session
 * once its client said nothing for about as long (idle_session_timeout, and
 * idle_in_transaction_session_timeout): a start stuck part-way, whose
 * connection is gone unsaid or whose host froze, holds the migration lock, and
 * every other instance's start with it, no longer than that.
 */
export async function migrateOneAtATime(options: MigrationOptions): Promise<void> {
  const migrating = boundedStatements(options.waitMs)
  const settings: postgres.Options<Record<string, never>> & SocketOption = {
    ...options.clientOptions,
    max: 1,
    connect_timeout: options.connectTimeoutMs / 1000,
    socket: migrating.socket,
    connection: { ...options.clientOptions.connection, ...migrating.connection },
  }
  const client = postgres(options.url, settings)
  // Connects only when an attempt has waited: who holds the lock is asked on a connection of its own.
  const watching = boundedStatements(options.statementTimeoutMs)
  const lookUpSettings: postgres.Options<Record<string, never>> & SocketOption = {
    ...settings,
    // Closed between look-ups, before its silence deadline could mistake it for a dead one.
    idle_timeout: options.statementTimeoutMs / 1000,
    socket: watching.socket,
    connection: { ...watching.connection, application_name: 'assay-migration-watch' },
  }
  const lookUp = postgres(options.url, lookUpSettings)
  try {
    // The pauses between attempts are shorter than the wait, so a healthy migrating session is never idle that long; a
    // client that is alive gives up on its silent connection first, and says so. idle_session_timeout came with
    // PostgreSQL 14; an older server would refuse the connection that named it.
    const [own] = await client<{ pid: number }[]>`
      select pg_backend_pid() as pid,
        case when current_setting('server_version_num')::int >= 140000 then set_config('idle_session_timeout', ${`${migrating.silenceMs + SILENCE_MARGIN_MS}ms`}, false) end as idle`
    const pid = own!.pid
    const watch = new LockWatch(lookUp, pid, options.logger, Math.min(LOOK_UP_MS, options.lockTimeoutMs / 2))
    const start = performance.now()
    // Another instance migrating holds this for as long as its migration takes, at most the statement timeout.
    await watch.during(client`select pg_advisory_lock(hashtext('assay-migrations'))`).catch((error: unknown) => {
      throw codesOf(error).includes(QUERY_CANCELED) ? gaveUp(options, performance.now() - start, "another instance's migration", watch.lastHolders, error) : error
    })
    await client`select set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, false)`
    const db = drizzle({ client: options.wrap(client) })
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        await watch.during(migrate(db, { migrationsFolder: MIGRATIONS }))
        return
      } catch (error) {
        if (codesOf(error).includes(QUERY_CANCELED)) {
          throw new StartupError(
            `migrating the database: a statement ran past DATABASE_MIGRATION_WAIT_MS (${options.waitMs} ms) and was cancelled (${innermostMessage(error)}): raise DATABASE_MIGRATION_WAIT_MS (a migration of large tables takes long) and start again.`,
            { cause: error },
          )
        }
        if (!codesOf(error).includes(LOCK_NOT_AVAILABLE)) throw error
        const waited = performance.now() - start
        if (waited + pause > options.waitMs) throw gaveUp(options, waited, "a table's lock", watch.lastHolders, error)
        options.logger.debug({ waitedMs: Math.round(waited), pauseMs: pause }, 'migrating: a table’s lock was not granted within DATABASE_MIGRATION_LOCK_TIMEOUT_MS; trying again')
        await sleep(pause)
      }
    }
  } finally {
    await Promise.all([migrating.sockets.end(client, 5), watching.sockets.end(lookUp, 5)])
  }
}

/** The start given up after `waitedMs` waiting for `what`, held by `holders` (as LockWatch last saw them). */
function gaveUp(options: MigrationOptions, waitedMs: number, what: string, holders: string | undefined, cause: unknown): StartupError {
  return new StartupError(
    `migrating the database: gave up after ${Math.round(waitedMs / 1000)} s waiting for ${what}${holders ? `, held by ${holders}` : ''}: end that session (or wait for it to finish) and start again, or raise DATABASE_MIGRATION_WAIT_MS (${options.waitMs} ms).`,
    { cause },
  )
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
