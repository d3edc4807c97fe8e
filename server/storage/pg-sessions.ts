import { and, eq, inArray, lt, ne } from 'drizzle-orm'
import { sessions } from '../../drizzle/pg/schema.ts'
import { idGroups } from './id-groups.ts'
import type { PgDb } from './pg-db.ts'
import type { SessionRecord, SessionStore } from './storage.ts'

export class PgSessionStore implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async create(session: SessionRecord): Promise<void> {
    await this.db.insert(sessions).values(session)
  }

  async get(tokenHash: string): Promise<SessionRecord | undefined> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash))
    return row
  }

  async getMany(tokenHashes: readonly string[]): Promise<SessionRecord[]> {
    const records: SessionRecord[] = []
    for (const group of idGroups(tokenHashes)) records.push(...(await this.db.select().from(sessions).where(inArray(sessions.tokenHash, group))))
    return records
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash))
  }

  async deleteForUser(userId: string, except?: string): Promise<string[]> {
    const mine = eq(sessions.userId, userId)
    const rows = await this.db
      .delete(sessions)
      .where(except === undefined ? mine : and(mine, ne(sessions.tokenHash, except)))
      .returning({ tokenHash: sessions.tokenHash })
    return rows.map((row) => row.tokenHash)
  }

  async deleteExpired(now: string): Promise<string[]> {
    const rows = await this.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ tokenHash: sessions.tokenHash })
    return rows.map((row) => row.tokenHash)
  }
}
