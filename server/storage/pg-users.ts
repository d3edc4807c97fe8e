import { and, asc, count, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { users } from '../../drizzle/pg/schema.ts'
import { endsAdminRights } from './admin-rights.ts'
import { idGroups } from './id-groups.ts'
import { insertAudited } from './pg-audited.ts'
import type { PgDb } from './pg-db.ts'
import { deleteSessionsOf } from './pg-sessions.ts'
import { revokeTokensOf } from './pg-tokens.ts'
import type { AccessChange, AccountChange, EndedWithPassword, NewAuditRecord, PasswordEnding, UserRecord, UserStore } from './storage.ts'

export class PgUserStore implements UserStore {
  constructor(private readonly db: PgDb) {}

  async create(user: UserRecord, audited?: NewAuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insert(users).values(user).onConflictDoNothing().returning({ id: users.id })
      if (inserted.length === 1 && audited) await insertAudited(tx, audited)
      return inserted.length === 1
    })
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

  async getMany(ids: readonly string[]): Promise<UserRecord[]> {
    const records: UserRecord[] = []
    for (const group of idGroups(ids)) records.push(...(await this.db.select().from(users).where(inArray(users.id, group))))
    return records
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

  async setPasswordHash(id: string, passwordHash: string, replacing?: string, ending: PasswordEnding = {}): Promise<EndedWithPassword | null> {
    return this.db.transaction(async (tx) => {
      // One statement: a reset or deactivation under way is waited for, and the row's condition read again as it left it.
      // The row stays locked until the endings below commit: a sign-in or a token made meanwhile waits, then sees them.
      const updated = await tx.update(users).set({ passwordHash }).where(passwordHolder(id, replacing)).returning({ id: users.id })
      if (updated.length !== 1) return null
      const ended = {
        sessions: ending.sessions ? await deleteSessionsOf(tx, id, ending.sessions.except) : [],
        tokens: ending.tokensRevokedAt === undefined ? [] : await revokeTokensOf(tx, id, ending.tokensRevokedAt),
      }
      if (ending.audited) await insertAudited(tx, ending.audited(ended))
      return ended
    })
  }

  async setAdmin(id: string, isAdmin: boolean, audited?: NewAuditRecord): Promise<AccountChange> {
    return this.setAccess(id, { isAdmin }, audited ? [audited] : [])
  }

  async setDeactivated(id: string, at: string | null, audited?: NewAuditRecord): Promise<AccountChange> {
    return this.setAccess(id, { deactivatedAt: at }, audited ? [audited] : [])
  }

  setAccess(id: string, change: AccessChange, audited: readonly NewAuditRecord[]): Promise<AccountChange> {
    return this.db.transaction(async (tx) => {
      // Two admins taking each other's rights at once must not both succeed: such changes take turns.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('assay-admin-rights'))`)
      const [user] = await tx.select().from(users).where(eq(users.id, id))
      if (!user) return 'not-found'
      if (endsAdminRights(change) && user.isAdmin && user.deactivatedAt === null) {
        const [others] = await tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.isAdmin, true), isNull(users.deactivatedAt), ne(users.id, id)))
        if ((others?.n ?? 0) === 0) return 'last-admin'
      }
      await tx.update(users).set(change).where(eq(users.id, id))
      if (audited.length > 0) await insertAudited(tx, audited)
      return 'done'
    })
  }
}

/** The account, and with `replacing` only while it is active and still has that password hash. */
function passwordHolder(id: string, replacing: string | undefined): SQL | undefined {
  const account = eq(users.id, id)
  return replacing === undefined ? account : and(account, eq(users.passwordHash, replacing), isNull(users.deactivatedAt))
}
