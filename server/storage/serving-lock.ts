/**
 * A server keeps its boards' documents in memory and its own bookkeeping of
 * each board's update log, so nothing else may write a board behind its back:
 * `assay import` writing the database a server serves made edits vanish or
 * the board diverge between the server and storage. Servers hold the serving
 * lock shared while they serve (several instances share one PostgreSQL), and
 * an import takes it exclusive or refuses. The lock lives with the database:
 * an OS file lock in DATA_DIR for SQLite, an advisory lock for PostgreSQL;
 * either goes with its process, however it ends. A command holding it
 * exclusive counts in the database that it writes, before and after
 * (ExclusiveWriteStore, cli/while-not-served.ts): a server on PostgreSQL,
 * whose lock can lapse with its connection, as can the command's, reads that
 * count every second and so sees an import that wrote while it served.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.ts'
import type { ExclusiveLock, SharedLock } from './held-lock.ts'
import type { StorageConfig } from './open-storage.ts'

export type LockConfig = Pick<StorageConfig, 'DATA_DIR' | 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS'>

/** How long a starting server waits for an import (or a restore) to finish before it gives up. */
export const SERVING_LOCK_WAIT_MS = 60_000
const RETRY_MS = 250
/**
 * SQLite takes a PENDING lock on its way to EXCLUSIVE, refusing new SHARED
 * locks for that moment even when the attempt then fails: one refused try may
 * be another command's passing attempt at the lock, while a server serves the
 * database. Only a lock refused at every try is held alone.
 */
const HELD_ALONE_TRIES = 4
const HELD_ALONE_RETRY_MS = 25

/** A server that could not start: an import or a restore held the database all the time it waited. */
export class DatabaseBeingImported extends Error {
  override name = 'DatabaseBeingImported'
}

/**
 * A server that stopped serving: on PostgreSQL an import took the database while the server's lock was lost, or even
 * came and went (pg-serving-lock.ts). A SQLite server's lock is never lost: only an exclusive holder refuses it, a
 * command's moment that the database the server holds open refuses anyway (sqlite-serving-lock.ts).
 */
export class DatabaseTakenByImport extends Error {
  override name = 'DatabaseTakenByImport'

  constructor(config: LockConfig) {
    super(`an \`assay import\` took ${databaseName(config)} while this server's serving lock was lost: stopping. Start it again once the import has finished.`)
  }
}

/** The lock shared, for a server: waits up to `waitMs` while an import holds it. */
export async function holdServingLock(config: LockConfig, logger: Logger, waitMs = SERVING_LOCK_WAIT_MS): Promise<SharedLock> {
  const giveUpAt = performance.now() + waitMs
  for (let attempt = 0; ; attempt++) {
    const held = await trySharedLock(config, logger)
    if (held) return held
    // Not at the first refusal, which may be another command's passing attempt (HELD_ALONE_TRIES).
    if (attempt === 1) logger.warn({ waitMs }, `${writers(config)} is writing the database: waiting for it to finish before serving`)
    if (performance.now() >= giveUpAt) {
      throw new DatabaseBeingImported(
        `${writers(config)} has been writing ${databaseName(config)} for over ${Math.round(waitMs / 1000)} s: not serving it meanwhile. Start the server again once it has finished.`,
      )
    }
    await sleep(RETRY_MS)
  }
}

/**
 * The lock exclusive, for a command that writes boards: null while a server serves the database. On SQLite, null too
 * while another process has the database open, whatever the lock file says (sqlite-open-elsewhere.ts).
 */
export function takeDatabaseAlone(config: LockConfig): Promise<ExclusiveLock | null> {
  return tryExclusiveLock(config)
}

/**
 * Who kept takeDatabaseAlone from taking the lock, as the start of a message,
 * and whether it writes the database: the lock is tried shared once, which
 * servers and backups share and only an import or a restore, holding it
 * alone, refuses.
 */
export async function lockHolder(config: LockConfig): Promise<{ writing: boolean; who: string }> {
  if (await heldAlone(config)) return { writing: true, who: `${writers(config)} is writing ${databaseName(config)}` }
  return { writing: false, who: `a server is serving ${databaseName(config)}${config.DATABASE_URL ? '' : ' (or an `assay backup` is reading it)'}` }
}

/** Who may hold the lock exclusive: `assay restore` runs on SQLite only. */
export function writers(config: LockConfig): string {
  return config.DATABASE_URL ? 'an `assay import`' : 'an `assay import` or `assay restore`'
}

async function heldAlone(config: LockConfig): Promise<boolean> {
  if (config.DATABASE_URL) {
    const { pgHeldAlone } = await import('./pg-serving-lock.ts')
    return pgHeldAlone({ url: config.DATABASE_URL, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS })
  }
  const { trySqliteServingLock } = await import('./sqlite-serving-lock.ts')
  for (let attempt = 1; ; attempt++) {
    const shared = trySqliteServingLock(config.DATA_DIR, 'shared')
    if (shared) {
      await shared.release()
      return false
    }
    if (attempt === HELD_ALONE_TRIES) return true
    await sleep(HELD_ALONE_RETRY_MS)
  }
}

/** The database as a message names it: never the URL, which may hold a password. */
export function databaseName(config: LockConfig): string {
  return config.DATABASE_URL ? 'the PostgreSQL database' : `the SQLite database in ${config.DATA_DIR}`
}

/** One try of the lock shared; each dialect's module is loaded only when it is the one used, as open-storage.ts does. */
async function trySharedLock(config: LockConfig, logger: Logger): Promise<SharedLock | null> {
  if (config.DATABASE_URL) {
    const { tryPgSharedLock } = await import('./pg-serving-lock.ts')
    return tryPgSharedLock({ url: config.DATABASE_URL, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS }, logger)
  }
  const { trySqliteServingLock } = await import('./sqlite-serving-lock.ts')
  return trySqliteServingLock(config.DATA_DIR, 'shared', { logger })
}

/** One try of the lock exclusive. */
async function tryExclusiveLock(config: LockConfig): Promise<ExclusiveLock | null> {
  if (config.DATABASE_URL) {
    const { tryPgExclusiveLock } = await import('./pg-serving-lock.ts')
    return tryPgExclusiveLock({ url: config.DATABASE_URL, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS })
  }
  const [{ trySqliteServingLock }, { sqliteOpenElsewhere }, { SQLITE_FILE_NAME }] = await Promise.all([
    import('./sqlite-serving-lock.ts'),
    import('./sqlite-open-elsewhere.ts'),
    import('./sqlite.ts'),
  ])
  const lock = trySqliteServingLock(config.DATA_DIR, 'exclusive')
  if (!lock) return null
  // Held alone, but on a lock file that may have been deleted under a running server and created anew just now.
  try {
    if (!sqliteOpenElsewhere(join(config.DATA_DIR, SQLITE_FILE_NAME))) return lock
  } catch (error) {
    await lock.release()
    throw error
  }
  await lock.release()
  return null
}
