import { and, eq, inArray, isNull, lt, ne } from 'drizzle-orm'
import { sessions, users } from '../../drizzle/pg/schema.ts'
import { idGroups } from './id-groups.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb, PgTx } from './pg-db.ts'
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
      if (audited) await insertAudited(tx, audited)
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

  async delete(tokenHash: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning({ tokenHash: sessions.tokenHash })
      if (deleted.length === 1 && audited) await insertAudited(tx, audited)
      return deleted.length === 1
    })
  }

  async deleteForUser(userId: string, except?: string): Promise<string[]> {
    return deleteSessionsOf(this.db, userId, except)
  }

  async deleteExpired(now: string): Promise<string[]> {
    const rows = await this.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ tokenHash: sessions.tokenHash })
    return rows.map((row) => row.tokenHash)
  }
}

/** Removes the user's sessions but `except`; their hashes. Also run in the transaction that sets a new password. */
export async function deleteSessionsOf(db: PgDb | PgTx, userId: string, except?: string): Promise<string[]> {
  const mine = eq(sessions.userId, userId)
  const rows = await db
    .delete(sessions)
    .where(except === undefined ? mine : and(mine, ne(sessions.tokenHash, except)))
    .returning({ tokenHash: sessions.tokenHash })
  return rows.map((row) => row.tokenHash)
}
