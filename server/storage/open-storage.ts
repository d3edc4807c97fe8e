import type { Config } from '../config.ts'
import { openPostgresStorage } from './postgres.ts'
import { openSqliteStorage } from './sqlite.ts'
import type { Storage } from './storage.ts'

/** PostgreSQL when DATABASE_URL is set, otherwise SQLite in DATA_DIR. Migrations run here. */
export async function openStorage(config: Config): Promise<Storage> {
  if (config.DATABASE_URL) return openPostgresStorage({ url: config.DATABASE_URL })
  return openSqliteStorage({ dataDir: config.DATA_DIR, synchronous: config.SQLITE_SYNCHRONOUS })
}
