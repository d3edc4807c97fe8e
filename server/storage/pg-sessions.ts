import { and, eq, inArray, isNull, lt, ne } from 'drizzle-orm'
import { auditLog, sessions, users } from '../../drizzle/pg/schema.ts'
import { idGroups } from './id-groups.ts'
import type { PgDb } from './pg-db.ts'
import type { NewAuditRecord, SessionRecord, SessionStore } from './storage.ts'

export class PgSessionStore implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async create(session: SessionRecord, passwordHash: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // FOR SHARE: a reset or deactivation under way is waited for and the row read again as it left it, and one that
      // comes after waits for this insert to commit, so that its ending of the account's sessions sees the new one.
      const [holder] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, session.userId), eq(users.passwordHash, passwordHash), isNull(users.deactivatedAt)))
        .for('share')
      if (!holder) return false
      await tx.insert(sessions).values(session)
      if (audited) await tx.insert(auditLog).values(audited)
      return true
    })
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
