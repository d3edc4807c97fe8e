import { eq, lt } from 'drizzle-orm'
import { boardInvites } from '../../drizzle/sqlite/schema.ts'
import type { Role } from '../relay/connection.ts'
import type { SqliteDb } from './sqlite.ts'
import type { InviteRecord, InviteStore } from './storage.ts'

export class SqliteInviteStore implements InviteStore {
  constructor(private readonly db: SqliteDb) {}

  async create(invite: InviteRecord): Promise<void> {
    this.db.insert(boardInvites).values(invite).run()
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const row = this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash)).get()
    return row ? { ...row, role: row.role as Role } : undefined
  }

  async deleteExpired(now: string): Promise<number> {
    return this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).run().changes
  }
}
