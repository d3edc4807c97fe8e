/**
 * Embedded storage: one SQLite file in DATA_DIR, WAL mode.
 *
 * SQLite's automatic WAL checkpoint blocks whichever connection trips it for
 * several milliseconds every few hundred commits; on the relay's thread that is
 * a stall for every room. So autocheckpoint is off and a worker thread with its
 * own connection checkpoints the WAL on a timer (wal-checkpointer.ts), starting
 * the log over once past SQLITE_WAL_LIMIT_MB. Doing that it takes the write
 * lock, which is why every transaction here begins IMMEDIATE (sqlite-db.ts).
 *
 * The log is the serving server's: a checkpoint that starts the log over
 * (RESTART, TRUNCATE) holds the write lock while it waits for readers (`assay
 * backup`), and the relay's commits wait behind it. So a process opening a
 * database another process serves (a command run against a live database)
 * checkpoints nothing, and one opening a database nobody serves yet waits for
 * readers only briefly (a server may start meanwhile).
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../../drizzle/sqlite/schema.ts'
import type { Logger } from '../log.ts'
import { systemClock, type Clock } from '../clock.ts'
import type { Storage } from './storage.ts'
import type { FutureHistory } from './future-history.ts'
import { SqliteBoardRecordStore } from './sqlite-boards.ts'
import { SqliteUpdateLogStore } from './sqlite-update-log.ts'
import { SqliteHistoryStore } from './sqlite-history.ts'
import { SqliteReviewStore } from './sqlite-reviews.ts'
import { SqliteSnapshotStore } from './sqlite-snapshots.ts'
import { SqliteApiTokenStore } from './sqlite-tokens.ts'
import { SqliteAuditStore } from './sqlite-audit.ts'
import { SqliteExclusiveWriteStore } from './sqlite-exclusive-writes.ts'
import { SqliteBoundsCheckStore } from './sqlite-bounds-checks.ts'
import { noteDeployment, SqliteDeploymentStore } from './sqlite-deployment.ts'
import { SqliteInviteStore } from './sqlite-invites.ts'
import { SqliteMemberStore } from './sqlite-members.ts'
import { SqliteSessionStore } from './sqlite-sessions.ts'
import { SqliteUserStore } from './sqlite-users.ts'
import { CHECKPOINT_BUSY_TIMEOUT_MS, startWalCheckpointerOnFirstWrite, STOP_BUSY_TIMEOUT_MS, type WalCheckpointer } from './wal-checkpointer.ts'
import { sqliteLogOwner } from './sqlite-serving-lock.ts'
import { BUSY_TIMEOUT_MS, withImmediateTransactions, withWriteChecks } from './sqlite-db.ts'
import { watchSqliteFile } from './sqlite-file-watch.ts'
import { refuseAlteredDatabase } from './sqlite-schema.ts'
import { migrateSqlite } from './sqlite-migrate.ts'

export type SqliteOptions = {
  dataDir: string
  /** FULL survives power loss, NORMAL (the default) survives a crash of the process. */
  synchronous?: 'NORMAL' | 'FULL'
  walCheckpointMs?: number
  /** The bytes in the WAL past which its checkpoint thread starts it over (SQLITE_WAL_LIMIT_MB). */
  walLimitBytes: number
  /** Where the checkpoint worker reports its failures. */
  logger: Logger
  /** The time stamped on log rows, checkpoints and snapshots. */
  clock?: Clock
  /** How far ahead of the clock a board's history is carried, and who hears of one dated back. */
  futureHistory: FutureHistory
  /** Log rows read per statement when a board is loaded or compacted (BOARD_LOG_PAGE_ROWS). */
  logPageRows?: number
}

export const SQLITE_FILE_NAME = 'assay.db'

/**
 * The data folder and the database are the server's alone, whatever the umask:
 * a folder it creates is 0700, the database file 0600, made so before SQLite
 * opens it (SQLite gives the -wal and -shm files the database file's mode).
 * Files of an older version, or copied in, are narrowed to 0600 too.
 */
function privateDatabaseFile(dataDir: string): string {
  if (mkdirSync(dataDir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(dataDir, 0o700)
  const path = join(dataDir, SQLITE_FILE_NAME)
  closeSync(openSync(path, 'a', 0o600))
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600)
  return path
}

export function openSqliteStorage(options: SqliteOptions): Storage {
  const path = privateDatabaseFile(options.dataDir)
  const client = new Database(path)
  try {
    return sqliteStorage(client, path, options)
  } catch (error) {
    // Altered, or a migration refused: a start that fails keeps no handle on the file (nor its locks).
    client.close()
    throw error
  }
}

function sqliteStorage(client: Database.Database, path: string, options: SqliteOptions): Storage {
  const clock = options.clock ?? systemClock
  const file = watchSqliteFile(path, options.logger)
  client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // What the schema holds runs in the server's statements: no function there with side effects of its own.
  client.pragma('trusted_schema = OFF')
  // Before anything is written to the file, even its journal mode.
  refuseAlteredDatabase(client, path)
  client.pragma('journal_mode = WAL')
  client.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  client.pragma('wal_autocheckpoint = 0')
  client.pragma('foreign_keys = ON')
  // Before each write: the file is still the one opened, and (where this process checkpoints) the WAL's checkpoint thread is started once the WAL holds writes.
  let writeBegins = () => {}
  const checkWrite = () => {
    file.check()
    writeBegins()
  }
  const db = withWriteChecks(withImmediateTransactions(drizzle({ client, schema })), checkWrite)
  migrateSqlite(db)
  noteDeployment(db)
  const owner = sqliteLogOwner(options.dataDir)
  let checkpointer: WalCheckpointer = { stop: () => Promise.resolve() }
  if (owner !== 'elsewhere') {
    const busyTimeoutMs = owner === 'server' ? STOP_BUSY_TIMEOUT_MS : CHECKPOINT_BUSY_TIMEOUT_MS
    // What start-up wrote (migrations, a crashed run's WAL) goes into the database file before anything is served,
    // so an empty WAL means nothing written since and the checkpoint thread can wait for the first write.
    // Refused (a reader in the way), the WAL is not empty and the thread starts at once.
    client.pragma(`busy_timeout = ${busyTimeoutMs}`)
    client.pragma('wal_checkpoint(TRUNCATE)')
    client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    const lazy = startWalCheckpointerOnFirstWrite(path, {
      intervalMs: options.walCheckpointMs ?? 1000,
      walLimitBytes: options.walLimitBytes,
      stopBusyTimeoutMs: busyTimeoutMs,
      logger: options.logger,
    })
    checkpointer = lazy
    writeBegins = () => lazy.writing()
  }
  const schemaRead = client.prepare('select count(*) from sqlite_master')
  let closing: Promise<void> | undefined
  return {
    dialect: 'sqlite',
    pastSource: { dialect: 'sqlite', file: path },
    boards: new SqliteBoardRecordStore(db, clock),
    log: new SqliteUpdateLogStore(db, clock, checkWrite, options.futureHistory, options.logPageRows),
    history: new SqliteHistoryStore(db),
    snapshots: new SqliteSnapshotStore(db, clock),
    reviews: new SqliteReviewStore(db),
    users: new SqliteUserStore(db),
    sessions: new SqliteSessionStore(db),
    tokens: new SqliteApiTokenStore(db),
    members: new SqliteMemberStore(db),
    invites: new SqliteInviteStore(db),
    audit: new SqliteAuditStore(db),
    exclusiveWrites: new SqliteExclusiveWriteStore(db),
    deployment: new SqliteDeploymentStore(db),
    boundsChecks: new SqliteBoundsCheckStore(db),
    async ping() {
      // The open handle answers after its file is gone: whether the path still holds it is what says the database is there.
      file.check()
      schemaRead.get()
    },
    async walBytes() {
      // No file yet reads as nothing written.
      return stat(`${path}-wal`).then(
        (stats) => stats.size,
        () => 0,
      )
    },
    close() {
      // The checkpointer reads the file; the connection closes only once it has stopped (closing the last connection checkpoints what is left).
      closing ??= checkpointer.stop().then(() => {
        client.close()
      })
      return closing
    },
  }
}
