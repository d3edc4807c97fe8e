import { and, asc, count, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { auditLog, users } from '../../drizzle/sqlite/schema.ts'
import { endsAdminRights } from './admin-rights.ts'
import { auditColumns } from './audit-rows.ts'
import { idGroups } from './id-groups.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { deleteSessionsOf } from './sqlite-sessions.ts'
import { revokeTokensOf } from './sqlite-tokens.ts'
import type { AccessChange, AccountChange, EndedWithPassword, NewAuditRecord, PasswordEnding, UserRecord, UserStore } from './storage.ts'

export class SqliteUserStore implements UserStore {
  /** Every authenticated upgrade and request reads its account: prepared once. */
  private readonly byId

  constructor(private readonly db: SqliteDb) {
    this.byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare()
  }

  async create(user: UserRecord, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction((tx) => {
      const created = tx.insert(users).values(user).onConflictDoNothing().run().changes === 1
      if (created && audited) tx.insert(auditLog).values(auditColumns(audited)).run()
      return created
    })
  }

  async createFirst(user: UserRecord): Promise<boolean> {
    // better-sqlite3 runs the transaction synchronously: nothing can slip in between the count and the insert.
    return this.db.transaction((tx) => {
      const existing = tx.select({ n: count() }).from(users).get()
      if ((existing?.n ?? 0) > 0) return false
      tx.insert(users).values(user).run()
      return true
    })
  }

  async get(id: string): Promise<UserRecord | undefined> {
    return this.byId.get({ id })
  }

  async getMany(ids: readonly string[]): Promise<UserRecord[]> {
    return idGroups(ids).flatMap((group) => this.db.select().from(users).where(inArray(users.id, group)).all())
  }

  async getByEmail(email: string): Promise<UserRecord | undefined> {
    return this.db.select().from(users).where(eq(users.email, email)).get()
  }

  async list(): Promise<UserRecord[]> {
    return this.db.select().from(users).orderBy(asc(users.createdAt), asc(users.id)).all()
  }

  async count(): Promise<number> {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0
  }

  async setPasswordHash(id: string, passwordHash: string, replacing?: string, ending: PasswordEnding = {}): Promise<EndedWithPassword | null> {
    return this.db.transaction((tx) => {
      if (tx.update(users).set({ passwordHash }).where(passwordHolder(id, replacing)).run().changes !== 1) return null
      const ended = {
        sessions: ending.sessions ? deleteSessionsOf(tx, id, ending.sessions.except) : [],
        tokens: ending.tokensRevokedAt === undefined ? [] : revokeTokensOf(tx, id, ending.tokensRevokedAt),
      }
      if (ending.audited) tx.insert(auditLog).values(auditColumns(ending.audited(ended))).run()
      return ended
    })
  }

  async setAdmin(id: string, isAdmin: boolean, audited?: NewAuditRecord): Promise<AccountChange> {
    return this.setAccess(id, { isAdmin }, audited ? [audited] : [])
  }

  async setDeactivated(id: string, at: string | null, audited?: NewAuditRecord): Promise<AccountChange> {
    return this.setAccess(id, { deactivatedAt: at }, audited ? [audited] : [])
  }

  /** One transaction (synchronous in better-sqlite3): the count of the other admins cannot change before the update. */
  async setAccess(id: string, change: AccessChange, audited: readonly NewAuditRecord[]): Promise<AccountChange> {
    return this.db.transaction((tx) => {
      const user = tx.select().from(users).where(eq(users.id, id)).get()
      if (!user) return 'not-found'
      if (endsAdminRights(change) && user.isAdmin && user.deactivatedAt === null) {
        const others = tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.isAdmin, true), isNull(users.deactivatedAt), ne(users.id, id)))
          .get()
        if ((others?.n ?? 0) === 0) return 'last-admin'
      }
      tx.update(users).set(change).where(eq(users.id, id)).run()
      if (audited.length > 0) tx.insert(auditLog).values(audited.map(auditColumns)).run()
      return 'done'
    })
  }
}

/** The account, and with `replacing` only while it is active and still has that password hash. */
function passwordHolder(id: string, replacing: string | undefined): SQL | undefined {
  const account = eq(users.id, id)
  return replacing === undefined ? account : and(account, eq(users.passwordHash, replacing), isNull(users.deactivatedAt))
}
