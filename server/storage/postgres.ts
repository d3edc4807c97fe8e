/**
 * PostgreSQL storage, used when DATABASE_URL is set.
 *
 * No query may hang: the server cancels a statement after the statement
 * timeout, a connection must open within the connect timeout, and a connection
 * on which the server has said nothing for a little longer than the statement
 * timeout is dropped (a half-open connection: the database host died, or a box
 * in between still acknowledges but nothing gets through), so its query fails
 * and the next one opens a fresh connection. Reconnecting backs off to at most
 * a couple of seconds, so commits resume soon after the database is back.
 */
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from '../../drizzle/pg/schema.ts'
import { systemClock, type Clock } from '../clock.ts'
import type { Storage } from './storage.ts'
import { boundedStatements, type PoolSockets, type SocketOption } from './pg-pool-sockets.ts'
import { withCommitOutcomesLookedUp } from './pg-commit-outcome.ts'
import { PgBoardRecordStore } from './pg-boards.ts'
import { PgUpdateLogStore } from './pg-update-log.ts'
import { PgHistoryStore } from './pg-history.ts'
import { PgReviewStore } from './pg-reviews.ts'
import { PgSnapshotStore } from './pg-snapshots.ts'
import { PgApiTokenStore } from './pg-tokens.ts'
import { PgAuditStore } from './pg-audit.ts'
import { PgExclusiveWriteStore } from './pg-exclusive-writes.ts'
import { PgBoundsCheckStore } from './pg-bounds-checks.ts'
import { PgDeploymentStore } from './pg-deployment.ts'
import { PgInviteStore } from './pg-invites.ts'
import { PgMemberStore } from './pg-members.ts'
import { PgSessionStore } from './pg-sessions.ts'
import { PgUserStore } from './pg-users.ts'
import type { Logger } from '../log.ts'
import { migrateOneAtATime } from './pg-migrate.ts'
import type { FutureHistory } from './future-history.ts'

export type PostgresOptions = {
  url: string
  /** The server cancels a statement running longer than this. */
  statementTimeoutMs: number
  connectTimeoutMs: number
  /** How long one attempt to migrate may wait for a table's lock, and how long attempts go on (pg-migrate.ts). */
  migrationLockTimeoutMs: number
  migrationWaitMs: number
  logger: Logger
  /** The time stamped on log rows, checkpoints and snapshots. */
  clock?: Clock
  /** How far ahead of the clock a board's history is carried, and who hears of one dated back. */
  futureHistory: FutureHistory
}

/** The longest wait between two attempts to reconnect. */
const MAX_RECONNECT_DELAY_SECONDS = 2
/**
 * postgres.js otherwise starts every new connection by fetching the array types
 * from the catalogue, and drops that query's promise: a backend terminated
 * meanwhile (a DBA, a failover, a pooler's restart) rejects it with nobody to
 * catch it, which ends the process. Nothing here needs arrays parsed: the
 * schema has no array column and no query sends or reads one.
 */
export const WITHOUT_ARRAY_TYPES = { fetch_types: false } as const

export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  await migrateOneAtATime({
    url: options.url,
    connectTimeoutMs: options.connectTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    lockTimeoutMs: options.migrationLockTimeoutMs,
    waitMs: options.migrationWaitMs,
    logger: options.logger,
    clientOptions: { onnotice: () => {}, ...WITHOUT_ARRAY_TYPES, connection: { application_name: 'assay-migration' } },
    wrap: withoutRollbackOnClosedConnections,
  })
  const { settings, sockets } = boundedClient(options, { max: 10, applicationName: 'assay' })
  const client = postgres(options.url, settings)
  const clock = options.clock ?? systemClock
  // A COMMIT left unanswered is looked up for as long as a statement may take.
  const db = drizzle({ client: withCommitOutcomesLookedUp(withoutRollbackOnClosedConnections(client), options.statementTimeoutMs), schema })
  return {
    dialect: 'postgres',
    pastSource: { dialect: 'postgres', url: options.url, statementTimeoutMs: options.statementTimeoutMs, connectTimeoutMs: options.connectTimeoutMs },
    boards: new PgBoardRecordStore(db, clock),
    log: new PgUpdateLogStore(db, clock, options.futureHistory),
    history: new PgHistoryStore(db),
    snapshots: new PgSnapshotStore(db, clock),
    reviews: new PgReviewStore(db),
    users: new PgUserStore(db),
    sessions: new PgSessionStore(db),
    tokens: new PgApiTokenStore(db),
    members: new PgMemberStore(db),
    invites: new PgInviteStore(db),
    audit: new PgAuditStore(db),
    exclusiveWrites: new PgExclusiveWriteStore(db),
    deployment: new PgDeploymentStore(db),
    boundsChecks: new PgBoundsCheckStore(db),
    async ping() {
      await client`select 1`
    },
    close: () => sockets.end(client, 5),
  }
}

/**
 * The settings of a client none of whose queries may hang, with `max`
 * connections named `applicationName` (more parameters in `connection`), and
 * the sockets that end it: a transaction whose client vanished must not hold a
 * board's lock for long, nor may a query wait for good (pg-pool-sockets.ts).
 */
export function boundedClient(
  timeouts: Pick<PostgresOptions, 'statementTimeoutMs' | 'connectTimeoutMs'>,
  own: { max: number; applicationName: string; connection?: Record<string, string | number | boolean> },
): { settings: postgres.Options<Record<string, never>> & SocketOption; sockets: PoolSockets } {
  const bounded = boundedStatements(timeouts.statementTimeoutMs)
  const settings = {
    max: own.max,
    ...WITHOUT_ARRAY_TYPES,
    onnotice: () => {},
    connect_timeout: timeouts.connectTimeoutMs / 1000,
    // An idle pooled connection is closed before the silence deadline could mistake it for a dead one.
    idle_timeout: timeouts.statementTimeoutMs / 1000,
    backoff: reconnectDelaySeconds,
    socket: bounded.socket,
    connection: { ...bounded.connection, application_name: own.applicationName, ...own.connection },
  }
  return { settings, sockets: bounded.sockets }
}

/**
 * The client as Drizzle gets it, with a transaction that does not outlive its
 * connection. When a transaction's callback fails, postgres.js sends ROLLBACK
 * on the transaction's connection, even when the failure was that connection
 * closing (its backend terminated, say); it then writes to a socket it has
 * already let go of, from a timer, and the TypeError thrown there ends the
 * process (porsager/postgres#1154, #1208). The same goes for COMMIT after a
 * callback that outlived its connection. PostgreSQL rolls back what a closed
 * connection left open, and begin() rejects by itself when the connection
 * closes (CONNECTION_CLOSED, which callers take for an unreachable database),
 * so such a transaction is simply never finished: its callback's outcome is
 * not handed back to postgres.js, and nothing waits for it any more.
 */
export function withoutRollbackOnClosedConnections<Types extends Record<string, unknown>>(client: postgres.Sql<Types>): postgres.Sql<Types> {
  type Transaction<T> = (sql: postgres.TransactionSql<Types>) => T | Promise<T>
  const begin = <T>(...args: [Transaction<T>] | [string, Transaction<T>]) => {
    const transaction = args.length === 1 ? args[0] : args[1]
    let connectionClosed = false
    const finishedWhileConnected = async (sql: postgres.TransactionSql<Types>): Promise<T> => {
      try {
        const result = await transaction(sql)
        if (!connectionClosed) return result
      } catch (error) {
        // A closing connection fails its statement and rejects begin() in the same turn of the event loop: let that turn end first.
        await new Promise((resolve) => setImmediate(resolve))
        if (!connectionClosed) throw error
      }
      // begin() has rejected already; postgres.js gets nothing to send on the closed connection.
      return new Promise<never>(() => {})
    }
    const outcome = args.length === 1 ? client.begin(finishedWhileConnected) : client.begin(args[0], finishedWhileConnected)
    // Until the callback has finished, begin() settles only by its connection closing.
    const closed = () => (connectionClosed = true)
    outcome.then(closed, closed)
    return outcome
  }
  return new Proxy(client, { get: (target, key) => (key === 'begin' ? begin : Reflect.get(target, key)) })
}

/** Exponential from 50 ms, with jitter, capped: postgres.js's own default grows to 20 s. */
function reconnectDelaySeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, MAX_RECONNECT_DELAY_SECONDS) * (0.5 + Math.random() / 2)
}
