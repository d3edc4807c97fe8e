/**
 * Embedded storage: one SQLite file in DATA_DIR, WAL mode.
 *
 * SQLite's automatic WAL checkpoint blocks whichever connection trips it for
 * several milliseconds every few hundred commits; on the relay's thread that is
 * a stall for every room. So autocheckpoint is off and a worker thread with its
 * own connection checkpoints the WAL on a timer.
 */
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from '../../drizzle/sqlite/schema.ts'
import type { Storage } from './storage.ts'
import { SqliteBoardStore } from './sqlite-boards.ts'
import { SqliteUpdateLogStore } from './sqlite-update-log.ts'
import { SqliteReviewStore } from './sqlite-reviews.ts'
import { SqliteSnapshotStore } from './sqlite-snapshots.ts'
import { SqliteApiTokenStore } from './sqlite-tokens.ts'
import { SqliteAuditStore } from './sqlite-audit.ts'
import { SqliteInviteStore } from './sqlite-invites.ts'
import { SqliteMemberStore } from './sqlite-members.ts'
import { SqliteSessionStore } from './sqlite-sessions.ts'
import { SqliteUserStore } from './sqlite-users.ts'

export type SqliteDb = BetterSQLite3Database<typeof schema>

export type SqliteOptions = {
  dataDir: string
  /** FULL survives power loss, NORMAL (the default) survives a crash of the process. */
  synchronous?: 'NORMAL' | 'FULL'
  walCheckpointMs?: number
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url))
export const SQLITE_FILE_NAME = 'assay.db'

export function openSqliteStorage(options: SqliteOptions): Storage {
  mkdirSync(options.dataDir, { recursive: true })
  const path = join(options.dataDir, SQLITE_FILE_NAME)
  const client = new Database(path)
  client.pragma('journal_mode = WAL')
  client.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  client.pragma('wal_autocheckpoint = 0')
  client.pragma('foreign_keys = ON')
  client.pragma('busy_timeout = 5000')
  const db = drizzle({ client, schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  const checkpointer = startWalCheckpointer(path, options.walCheckpointMs ?? 1000)
  let closing: Promise<void> | undefined
  return {
    dialect: 'sqlite',
    boards: new SqliteBoardStore(db),
    log: new SqliteUpdateLogStore(db),
    snapshots: new SqliteSnapshotStore(db),
    reviews: new SqliteReviewStore(db),
    users: new SqliteUserStore(db),
    sessions: new SqliteSessionStore(db),
    tokens: new SqliteApiTokenStore(db),
    members: new SqliteMemberStore(db),
    invites: new SqliteInviteStore(db),
    audit: new SqliteAuditStore(db),
    close() {
      closing ??= checkpointer.stop().then(() => void client.close())
      return closing
    },
  }
}

const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  parentPort.postMessage('stopped')
})
`

function startWalCheckpointer(path: string, intervalMs: number): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } })
  worker.unref()
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()))
        worker.once('error', () => resolve())
        worker.postMessage('stop')
      }),
  }
}
