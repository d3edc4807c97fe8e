import { sql } from 'drizzle-orm'
import { exclusiveWrites } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './pg-db.ts'
import type { ExclusiveWriteStore } from './storage.ts'

/** The table's one row. */
const ROW_ID = 1

export class PgExclusiveWriteStore implements ExclusiveWriteStore {
  constructor(private readonly db: PgDb) {}

  async note(): Promise<void> {
    await this.db
      .insert(exclusiveWrites)
      .values({ id: ROW_ID, count: 1 })
      .onConflictDoUpdate({ target: exclusiveWrites.id, set: { count: sql`${exclusiveWrites.count} + 1` } })
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ count: exclusiveWrites.count }).from(exclusiveWrites)
    return row?.count ?? 0
  }
}
