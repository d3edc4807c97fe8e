import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { apiTokens, auditLog, sessions } from '../../drizzle/sqlite/schema.ts'
import { auditColumns } from './audit-rows.ts'
import { idGroups } from './id-groups.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { ApiTokenRecord, ApiTokenStore, NewAuditRecord } from './storage.ts'

type Tx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0]

export class SqliteApiTokenStore implements ApiTokenStore {
  /** Every upgrade and request with a token looks it up: prepared once. */
  private readonly byHash

  constructor(private readonly db: SqliteDb) {
    this.byHash = db.select().from(apiTokens).where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash'))).prepare()
  }

  async create(token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, madeInSession?: string, audited?: NewAuditRecord): Promise<boolean> {
    // better-sqlite3 runs the transaction synchronously: the session cannot end between the check and the insert.
    return this.db.transaction((tx) => {
      if (madeInSession !== undefined) {
        const session = tx.select({ tokenHash: sessions.tokenHash }).from(sessions).where(eq(sessions.tokenHash, madeInSession)).get()
        if (!session) return false
      }
      tx.insert(apiTokens).values(token).run()
      if (audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return true
    })
  }

  async getByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    return this.byHash.get({ tokenHash })
  }

  async getMany(ids: readonly string[]): Promise<ApiTokenRecord[]> {
    return idGroups(ids).flatMap((group) => this.db.select().from(apiTokens).where(inArray(apiTokens.id, group)).all())
  }

  async listActive(userId: string): Promise<ApiTokenRecord[]> {
    return this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
      .all()
  }

  async revoke(id: string, userId: string, at: string, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction((tx) => {
      const result = tx
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .run()
      if (result.changes === 1 && audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return result.changes === 1
    })
  }

  async touch(id: string, at: string): Promise<void> {
    this.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run()
  }
}

/** Revokes every token of the user not revoked yet, in the transaction that sets a new password; their ids. */
export function revokeTokensOf(tx: Tx, userId: string, at: string): string[] {
  const revoked = tx
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id })
    .all()
  return revoked.map(({ id }) => id)
}
