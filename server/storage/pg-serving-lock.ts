/**
 * The serving lock of a PostgreSQL database: a session-level advisory lock on
 * a connection of its own. Servers hold it shared, an import exclusive. A
 * session's advisory locks end with the session, so a server's lock goes when
 * its connection drops (a restart of the database, a failover, a DBA ending
 * backends): a server checks every second that its session still holds it,
 * and takes it again on a new connection when not.
 */
import postgres from 'postgres'
import { errorMessage } from '../../shared/error-message.ts'
import { DeadlineExceeded, withDeadline } from '../health/deadline.ts'
import type { Logger } from '../log.ts'
import { PeriodicTask } from '../periodic-task.ts'
import type { ExclusiveLock, SharedLock } from './held-lock.ts'
import { PoolSockets, type SocketOption } from './pg-pool-sockets.ts'
import { DatabaseSilent } from './storage-errors.ts'

type PgLockOptions = { url: string; connectTimeoutMs: number }

/**
 * The two-integer form ("Assa", 1): its keys are apart from those of the
 * one-bigint form, which the migrations and the boards' snapshot locks take
 * with hashed names, so no board's id can ever hash onto it.
 */
const CLASS_ID = 0x41737361
const OBJECT_ID = 1
/** The arguments of the advisory lock functions, as SQL. */
export const SERVING_LOCK_KEY = `${CLASS_ID}, ${OBJECT_ID}`
export const SERVING_LOCK_APPLICATION = 'assay-serving-lock'
const CHECK_INTERVAL_MS = 1000

export async function tryPgSharedLock(options: PgLockOptions, logger: Logger): Promise<SharedLock | null> {
  const connection = await tryLock(options, 'pg_try_advisory_lock_shared')
  return connection && new KeptSharedLock(connection, options, logger)
}

/**
 * An import's lock lasts one command and is not kept: should its session end,
 * a server may take the lock meanwhile, and the import asks (stillHeld) right
 * before it writes.
 */
export async function tryPgExclusiveLock(options: PgLockOptions): Promise<ExclusiveLock | null> {
  const connection = await tryLock(options, 'pg_try_advisory_lock')
  return (
    connection && {
      release: () => connection.end(5),
      async stillHeld() {
        // A query after the session ended runs on a new one (postgres.js reconnects), which holds nothing.
        const held = connection.sql.unsafe<{ held: boolean }[]>(`select exists (${HELD_BY_THIS_SESSION} and mode = 'ExclusiveLock') as held`)
        return withDeadline(held, options.connectTimeoutMs, 'the serving lock’s connection').then(
          ([row]) => row?.held === true,
          () => false,
        )
      },
    }
  )
}

/** Whether an import holds the lock: tried shared once, and let go. */
export async function pgHeldAlone(options: PgLockOptions): Promise<boolean> {
  const connection = await tryLock(options, 'pg_try_advisory_lock_shared')
  await connection?.end(5)
  return connection === null
}

/**
 * The lock's own connection, holding it; null when refused. connect_timeout bounds only the connection's opening: a
 * database that stops answering after it (its host frozen, the network half-open) fails the try (DatabaseSilent) once
 * the statement, which never waits for the lock, has gone unanswered as long again.
 */
async function tryLock(options: PgLockOptions, take: 'pg_try_advisory_lock_shared' | 'pg_try_advisory_lock'): Promise<LockConnection | null> {
  const connection = connect(options)
  const answeredWithinMs = 2 * options.connectTimeoutMs
  try {
    const taking = connection.sql.unsafe<{ taken: boolean }[]>(`select ${take}(${SERVING_LOCK_KEY}) as taken`)
    const [row] = await withDeadline(taking, answeredWithinMs, 'the serving lock’s connection').catch((error: unknown) => {
      throw error instanceof DeadlineExceeded ? new DatabaseSilent(answeredWithinMs) : error
    })
    if (row?.taken) return connection
  } catch (error) {
    await connection.end(0)
    throw error
  }
  await connection.end(1)
  return null
}

/** The lock's connection, and its end (PoolSockets: not held up by a connection gone under its query). */
type LockConnection = { sql: postgres.Sql; end(timeoutSeconds: number): Promise<void> }

function connect(options: PgLockOptions): LockConnection {
  const sockets = new PoolSockets()
  const settings: postgres.Options<Record<string, never>> & SocketOption = {
    socket: sockets.open,
    max: 1,
    // postgres.js would otherwise end the connection, and the lock with it, after 30 to 60 minutes.
    max_lifetime: null,
    // See WITHOUT_ARRAY_TYPES in postgres.ts: its dropped promise would end the process when the backend is ended.
    fetch_types: false,
    onnotice: () => {},
    connect_timeout: options.connectTimeoutMs / 1000,
    connection: { application_name: SERVING_LOCK_APPLICATION },
  }
  const sql = postgres(options.url, settings)
  return { sql, end: (timeoutSeconds) => sockets.end(sql, timeoutSeconds) }
}

/** The serving lock among those the querying session holds (objsubid 2: the two-integer form). */
const HELD_BY_THIS_SESSION = `select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and classid = ${CLASS_ID} and objid = ${OBJECT_ID} and objsubid = 2 and granted`

/** Still held, taken again now, or refused because an import holds it; in one statement, so the session is the same throughout. */
const KEEP = `select case
  when exists (${HELD_BY_THIS_SESSION}) then 'held'
  when pg_try_advisory_lock_shared(${SERVING_LOCK_KEY}) then 'taken'
  else 'refused' end as state`

/**
 * A server's shared lock, taken again within a second of its session's end;
 * unless an import took it exclusive meanwhile, which the server is told of
 * (onTakenAway), and the lock is then no longer taken again. An import that
 * wrote while the lock had lapsed, even one whose own lock lapsed and let this
 * server take it again, moved the count of writes (watchWrites), which the
 * server is told of the same way.
 */
class KeptSharedLock implements SharedLock {
  private readonly keeper: PeriodicTask<void>
  /** Apart from the keeper, so a slow read of the count never holds up taking the lock again. */
  private writesWatch: PeriodicTask<void> | undefined
  private lost = false
  private takenAway = false
  private readonly takenAwayHandlers: (() => void)[] = []

  constructor(
    private connection: LockConnection,
    private readonly options: PgLockOptions,
    private readonly logger: Logger,
  ) {
    this.keeper = new PeriodicTask(() => this.keep(), { intervalMs: CHECK_INTERVAL_MS, logger, failure: 'checking the serving lock failed' })
    this.keeper.start()
  }

  async release(): Promise<void> {
    await Promise.all([this.keeper.stop(), this.writesWatch?.stop()])
    await this.connection.end(5)
  }

  onTakenAway(handler: () => void): void {
    if (this.takenAway) handler()
    else this.takenAwayHandlers.push(handler)
  }

  async watchWrites(count: () => Promise<number>): Promise<void> {
    const seen = await count()
    // Every second, not only after the lock was taken again: an import that took the lock and lost it in turn wrote
    // while this server held it, and counts once more when it is done (cli/while-not-served.ts).
    this.writesWatch = new PeriodicTask(
      async () => {
        if (this.takenAway) return
        if ((await withDeadline(count(), this.options.connectTimeoutMs, 'the count of exclusive writes')) !== seen) this.noteTakenAway()
      },
      { intervalMs: CHECK_INTERVAL_MS, logger: this.logger, failure: 'reading the count of exclusive writes failed', firstFailureOnly: true },
    )
    this.writesWatch.start()
  }

  private async keep(): Promise<void> {
    if (this.takenAway) return
    try {
      // postgres.js opens a new connection for a query after its connection dropped: that session holds nothing yet.
      const [row] = await withDeadline(this.connection.sql.unsafe<{ state: 'held' | 'taken' | 'refused' }[]>(KEEP), this.options.connectTimeoutMs, 'the serving lock’s connection')
      if (row?.state === 'refused') this.noteTakenAway()
      else this.noteHeld(row?.state === 'taken')
    } catch (error) {
      // A connection that answers nothing is left for a new one, which the next check opens.
      if (error instanceof DeadlineExceeded) {
        // Ending a connection that answers nothing may fail too; the lock is taken on the new one either way.
        this.connection.end(0).catch((endError: unknown) => this.logger.debug({ err: errorMessage(endError) }, 'ending the serving lock’s silent connection failed'))
        this.connection = connect(this.options)
      }
      this.noteLost(errorMessage(error))
    }
  }

  private noteLost(why: string): void {
    if (this.lost) return
    this.lost = true
    this.logger.warn({ why }, 'the serving lock was lost with its database connection; taking it again every second')
  }

  private noteTakenAway(): void {
    if (this.takenAway) return
    this.takenAway = true
    for (const handler of this.takenAwayHandlers.splice(0)) handler()
  }

  private noteHeld(takenAgain: boolean): void {
    this.lost = false
    if (takenAgain) this.logger.warn('the serving lock was taken again on a new database connection')
  }
}
