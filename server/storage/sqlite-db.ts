/** The SQLite database as its stores see it: Drizzle over better-sqlite3, with the SQLite schema, and the driver's own client for what Drizzle makes costly. */
import type Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from '../../drizzle/sqlite/schema.ts'

export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
