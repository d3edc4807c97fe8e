/** The SQLite database as its stores see it: Drizzle over better-sqlite3, with the SQLite schema. */
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from '../../drizzle/sqlite/schema.ts'

export type SqliteDb = BetterSQLite3Database<typeof schema>
