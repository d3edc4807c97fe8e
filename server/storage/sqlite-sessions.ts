import { eq, lt } from 'drizzle-orm'
import { sessions } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite.ts'
import type { SessionRecord, SessionStore } from './storage.ts'

export class SqliteSessionStore implements SessionStore {
  constructor(private readonly db: SqliteDb) {}

  async create(session: SessionRecord): Promise<void> {
    this.db.insert(sessions).values(session).run()
  }

  async get(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get()
  }

  async delete(tokenHash: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run()
  }

  async deleteForUser(userId: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.userId, userId)).run()
  }

  async deleteExpired(now: string): Promise<number> {
    return this.db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes
  }
}
