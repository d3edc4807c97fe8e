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
import type { HeldLock, LockMode } from './held-lock.ts'

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

export async function tryPgServingLock(options: PgLockOptions, mode: LockMode, logger: Logger): Promise<HeldLock | null> {
  const client = connect(options)
  try {
    const [row] = await client.unsafe<{ taken: boolean }[]>(`select ${mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock'}(${SERVING_LOCK_KEY}) as taken`)
    if (!row?.taken) {
      await client.end({ timeout: 1 })
      return null
    }
  } catch (error) {
    await client.end({ timeout: 0 })
    throw error
  }
  if (mode === 'shared') return new KeptSharedLock(client, options, logger)
  // An import's lock lasts one command and is not watched.
  return { release: () => client.end({ timeout: 5 }), onTakenAway() {}, async watchWrites() {} }
}

function connect(options: PgLockOptions): postgres.Sql {
  return postgres(options.url, {
    max: 1,
    // postgres.js would otherwise end the connection, and the lock with it, after 30 to 60 minutes.
    max_lifetime: null,
    // See WITHOUT_ARRAY_TYPES in postgres.ts: its dropped promise would end the process when the backend is ended.
    fetch_types: false,
    onnotice: () => {},
    connect_timeout: options.connectTimeoutMs / 1000,
    connection: { application_name: SERVING_LOCK_APPLICATION },
  })
}

/** Still held, taken again now, or refused because an import holds it; in one statement, so the session is the same throughout. */
const KEEP = `select case
  when exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and classid = ${CLASS_ID} and objid = ${OBJECT_ID} and objsubid = 2 and granted) then 'held'
  when pg_try_advisory_lock_shared(${SERVING_LOCK_KEY}) then 'taken'
  else 'refused' end as state`

/**
 * A server's shared lock, taken again within a second of its session's end;
 * unless an import took it exclusive meanwhile, which the server is told of
 * (onTakenAway), and the lock is then no longer taken again. An import that
 * came and went between two checks left its count of writes moved
 * (watchWrites), which the server is told of the same way.
 */
class KeptSharedLock implements HeldLock {
  private readonly keeper: PeriodicTask<void>
  private lost = false
  private takenAway = false
  private readonly takenAwayHandlers: (() => void)[] = []
  /** The count of writes by commands holding the lock exclusive, as read when the server began serving. */
  private writes: { count: () => Promise<number>; seen: number } | undefined
  /** Taken again since the count was last found unmoved. */
  private writesUnchecked = false

  constructor(
    private client: postgres.Sql,
    private readonly options: PgLockOptions,
    private readonly logger: Logger,
  ) {
    this.keeper = new PeriodicTask(() => this.keep(), { intervalMs: CHECK_INTERVAL_MS, logger, failure: 'checking the serving lock failed' })
    this.keeper.start()
  }

  async release(): Promise<void> {
    await this.keeper.stop()
    await this.client.end({ timeout: 5 })
  }

  onTakenAway(handler: () => void): void {
    if (this.takenAway) handler()
    else this.takenAwayHandlers.push(handler)
  }

  async watchWrites(count: () => Promise<number>): Promise<void> {
    this.writes = { count, seen: await count() }
  }

  private async keep(): Promise<void> {
    if (this.takenAway) return
    try {
      // postgres.js opens a new connection for a query after its connection dropped: that session holds nothing yet.
      const [row] = await withDeadline(this.client.unsafe<{ state: 'held' | 'taken' | 'refused' }[]>(KEEP), this.options.connectTimeoutMs, 'the serving lock’s connection')
      if (row?.state === 'refused') return this.noteTakenAway()
      this.noteHeld(row?.state === 'taken')
    } catch (error) {
      // A connection that answers nothing is left for a new one, which the next check opens.
      if (error instanceof DeadlineExceeded) {
        // Ending a connection that answers nothing may fail too; the lock is taken on the new one either way.
        this.client.end({ timeout: 0 }).catch((endError: unknown) => this.logger.debug({ err: errorMessage(endError) }, 'ending the serving lock’s silent connection failed'))
        this.client = connect(this.options)
      }
      this.noteLost(error instanceof Error ? error.message : String(error))
      return
    }
    await this.checkWrites()
  }

  /**
   * Read once the lock is held again, so an import that wrote has let it go,
   * its count committed first. A read that fails is tried again at the next
   * check (PeriodicTask logs the failure).
   */
  private async checkWrites(): Promise<void> {
    if (!this.writes || !this.writesUnchecked) return
    if ((await this.writes.count()) !== this.writes.seen) return this.noteTakenAway()
    this.writesUnchecked = false
  }

  private noteLost(why: string): void {
    if (this.lost) return
    this.lost = true
    this.logger.warn({ why }, 'the serving lock was lost with its database connection; taking it again every second')
  }

  private noteTakenAway(): void {
    this.takenAway = true
    for (const handler of this.takenAwayHandlers.splice(0)) handler()
  }

  private noteHeld(takenAgain: boolean): void {
    this.lost = false
    if (!takenAgain) return
    this.writesUnchecked = true
    this.logger.warn('the serving lock was taken again on a new database connection')
  }
}
