import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm'
import { sessions } from '../../drizzle/sqlite/schema.ts'
import { idGroups } from './id-groups.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { SessionRecord, SessionStore } from './storage.ts'

export class SqliteSessionStore implements SessionStore {
  /** Every request and upgrade from a browser looks its session up: prepared once (34 to 40 µs a look-up built each time, 7 to 8 prepared). */
  private readonly byHash

  constructor(private readonly db: SqliteDb) {
    this.byHash = db.select().from(sessions).where(eq(sessions.tokenHash, sql.placeholder('tokenHash'))).prepare()
  }

  async create(session: SessionRecord): Promise<void> {
    this.db.insert(sessions).values(session).run()
  }

  async get(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.byHash.get({ tokenHash })
  }

  async getMany(tokenHashes: readonly string[]): Promise<SessionRecord[]> {
    return idGroups(tokenHashes).flatMap((group) => this.db.select().from(sessions).where(inArray(sessions.tokenHash, group)).all())
  }

  async delete(tokenHash: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run()
  }

  async deleteForUser(userId: string, except?: string): Promise<string[]> {
    const mine = eq(sessions.userId, userId)
    const rows = this.db
      .delete(sessions)
      .where(except === undefined ? mine : and(mine, ne(sessions.tokenHash, except)))
      .returning({ tokenHash: sessions.tokenHash })
      .all()
    return rows.map((row) => row.tokenHash)
  }

  async deleteExpired(now: string): Promise<string[]> {
    const rows = this.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ tokenHash: sessions.tokenHash }).all()
    return rows.map((row) => row.tokenHash)
  }
}
