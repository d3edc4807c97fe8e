/** PostgreSQL storage, used when DATABASE_URL is set. */
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import * as schema from '../../drizzle/pg/schema.ts'
import type { Storage } from './storage.ts'
import { PgBoardStore } from './pg-boards.ts'
import { PgUpdateLogStore } from './pg-update-log.ts'
import { PgReviewStore } from './pg-reviews.ts'
import { PgSnapshotStore } from './pg-snapshots.ts'
import { PgApiTokenStore } from './pg-tokens.ts'
import { PgAuditStore } from './pg-audit.ts'
import { PgInviteStore } from './pg-invites.ts'
import { PgMemberStore } from './pg-members.ts'
import { PgSessionStore } from './pg-sessions.ts'
import { PgUserStore } from './pg-users.ts'

export type PgDb = PostgresJsDatabase<typeof schema>

export type PostgresOptions = { url: string }

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/pg', import.meta.url))

export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  await migrateOneAtATime(options.url)
  const client = postgres(options.url, { max: 10, onnotice: () => {} })
  const db = drizzle({ client, schema })
  return {
    dialect: 'postgres',
    boards: new PgBoardStore(db),
    log: new PgUpdateLogStore(db),
    snapshots: new PgSnapshotStore(db),
    reviews: new PgReviewStore(db),
    users: new PgUserStore(db),
    sessions: new PgSessionStore(db),
    tokens: new PgApiTokenStore(db),
    members: new PgMemberStore(db),
    invites: new PgInviteStore(db),
    audit: new PgAuditStore(db),
    async close() {
      await client.end({ timeout: 5 })
    },
  }
}

/**
 * Instances starting together (a fleet's first start, a rolling upgrade) would
 * race to create the same tables; one session lock lets one migrate while the
 * others wait and then find nothing left to do. Ending the session releases it.
 */
async function migrateOneAtATime(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(hashtext('assay-migrations'))`
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS })
  } finally {
    await client.end({ timeout: 5 })
  }
}
