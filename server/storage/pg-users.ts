import { asc, count, eq, sql } from 'drizzle-orm'
import { users } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './postgres.ts'
import type { UserRecord, UserStore } from './storage.ts'

export class PgUserStore implements UserStore {
  constructor(private readonly db: PgDb) {}

  async create(user: UserRecord): Promise<boolean> {
    const inserted = await this.db.insert(users).values(user).onConflictDoNothing().returning({ id: users.id })
    return inserted.length === 1
  }

  async createFirst(user: UserRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Two first visits at once (or two instances starting with the admin variables set) must not both create an admin.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('assay-first-user'))`)
      const [existing] = await tx.select({ n: count() }).from(users)
      if ((existing?.n ?? 0) > 0) return false
      await tx.insert(users).values(user)
      return true
    })
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id))
    return row
  }

  async getByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email))
    return row
  }

  async list(): Promise<UserRecord[]> {
    return this.db.select().from(users).orderBy(asc(users.createdAt), asc(users.id))
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(users)
    return row?.n ?? 0
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<boolean> {
    const updated = await this.db.update(users).set({ passwordHash }).where(eq(users.id, id)).returning({ id: users.id })
    return updated.length === 1
  }
}
