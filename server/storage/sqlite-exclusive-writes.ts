import { sql } from 'drizzle-orm'
import { exclusiveWrites } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { ExclusiveWriteStore } from './storage.ts'

/** The table's one row. */
const ROW_ID = 1

export class SqliteExclusiveWriteStore implements ExclusiveWriteStore {
  constructor(private readonly db: SqliteDb) {}

  async note(): Promise<void> {
    this.db
      .insert(exclusiveWrites)
      .values({ id: ROW_ID, count: 1 })
      .onConflictDoUpdate({ target: exclusiveWrites.id, set: { count: sql`${exclusiveWrites.count} + 1` } })
      .run()
  }

  async count(): Promise<number> {
    return this.db.select({ count: exclusiveWrites.count }).from(exclusiveWrites).get()?.count ?? 0
  }
}
