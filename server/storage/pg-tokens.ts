import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import { apiTokens, sessions } from '../../drizzle/pg/schema.ts'
import { idGroups } from './id-groups.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb, PgTx } from './pg-db.ts'
import type { ApiTokenRecord, ApiTokenStore, NewAuditRecord } from './storage.ts'

export class PgApiTokenStore implements ApiTokenStore {
  constructor(private readonly db: PgDb) {}

  async create(token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, madeInSession?: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (madeInSession !== undefined) {
        // FOR SHARE: the session's ending under way is waited for (and the row then gone), and one that comes after
        // waits for this insert to commit, so that the revocation following it sees the new token.
        const [session] = await tx.select({ tokenHash: sessions.tokenHash }).from(sessions).where(eq(sessions.tokenHash, madeInSession)).for('share')
        if (!session) return false
      }
      await tx.insert(apiTokens).values(token)
      if (audited) await insertAudited(tx, audited)
      return true
    })
  }

  async getByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash))
    return row
  }

  async getMany(ids: readonly string[]): Promise<ApiTokenRecord[]> {
    const records: ApiTokenRecord[] = []
    for (const group of idGroups(ids)) records.push(...(await this.db.select().from(apiTokens).where(inArray(apiTokens.id, group))))
    return records
  }

  async listActive(userId: string): Promise<ApiTokenRecord[]> {
    return this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
  }

  async revoke(id: string, userId: string, at: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const revoked = await tx
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
      if (revoked.length === 1 && audited) await insertAudited(tx, audited)
      return revoked.length === 1
    })
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id))
  }
}

/** Revokes every token of the user not revoked yet, in the transaction that sets a new password; their ids. */
export async function revokeTokensOf(tx: PgTx, userId: string, at: string): Promise<string[]> {
  const revoked = await tx
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id })
  return revoked.map(({ id }) => id)
}
