import type { Clock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../log.ts'
import { reportedFutureHistory } from './future-history.ts'
import type { Storage } from './storage.ts'

export type StorageConfig = Pick<
  Config,
    | 'DATA_DIR'
  | 'DATABASE_URL'
  | 'SQLITE_SYNCHRONOUS'
  | 'SQLITE_WAL_LIMIT_MB'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
  | 'DATABASE_CONNECT_TIMEOUT_MS'
  | 'DATABASE_MIGRATION_LOCK_TIMEOUT_MS'
  | 'DATABASE_MIGRATION_WAIT_MS'
  | 'HISTORY_CLOCK_TOLERANCE_MS'
  | 'BOARD_LOG_PAGE_ROWS'
>

/**
 * PostgreSQL when DATABASE_URL is set, otherwise SQLite in DATA_DIR. Migrations run here.
 * Each dialect's driver is loaded only when it is the one used: a process holds one of them in memory, not both.
 */
export async function openStorage(config: StorageConfig, logger: Logger, clock?: Clock, historyDatedBack?: () => void): Promise<Storage> {
  const futureHistory = reportedFutureHistory(config.HISTORY_CLOCK_TOLERANCE_MS, logger, historyDatedBack)
  if (config.DATABASE_URL) {
    const { openPostgresStorage } = await import('./postgres.ts')
    return openPostgresStorage({
      url: config.DATABASE_URL,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      migrationLockTimeoutMs: config.DATABASE_MIGRATION_LOCK_TIMEOUT_MS,
      migrationWaitMs: config.DATABASE_MIGRATION_WAIT_MS,
      logger,
      clock,
      futureHistory,
    })
  }
  const { openSqliteStorage } = await import('./sqlite.ts')
  return openSqliteStorage({ dataDir: config.DATA_DIR, synchronous: config.SQLITE_SYNCHRONOUS, walLimitBytes: config.SQLITE_WAL_LIMIT_MB * 1024 ** 2, logger, clock, futureHistory, logPageRows: config.BOARD_LOG_PAGE_ROWS })
}
