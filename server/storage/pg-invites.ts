import { eq, lt } from 'drizzle-orm'
import { boardInvites } from '../../drizzle/pg/schema.ts'
import type { Role } from '../relay/connection.ts'
import type { PgDb } from './postgres.ts'
import type { InviteRecord, InviteStore } from './storage.ts'

export class PgInviteStore implements InviteStore {
  constructor(private readonly db: PgDb) {}

  async create(invite: InviteRecord): Promise<void> {
    await this.db.insert(boardInvites).values(invite)
  }

  async get(tokenHash: string): Promise<InviteRecord | undefined> {
    const [row] = await this.db.select().from(boardInvites).where(eq(boardInvites.tokenHash, tokenHash))
    return row ? { ...row, role: row.role as Role } : undefined
  }

  async deleteExpired(now: string): Promise<number> {
    const deleted = await this.db.delete(boardInvites).where(lt(boardInvites.expiresAt, now)).returning({ tokenHash: boardInvites.tokenHash })
    return deleted.length
  }
}
