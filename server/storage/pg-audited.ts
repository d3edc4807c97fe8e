/**
 * An audited change's entries, written in its PostgreSQL transaction with
 * what it tells the other instances: each `tells` payload is sent with
 * `pg_notify` on RIGHTS_CHANNEL in the same transaction, which PostgreSQL
 * delivers to the listeners (server/relay/pg-rights-channel.ts) as the
 * transaction commits, and drops should it roll back. Sent after the commit
 * instead, the word was lost whenever the deciding instance died between the
 * two, and a right it took away lasted on the others' sockets until their
 * periodic re-check.
 */
import { sql } from 'drizzle-orm'
import { auditLog } from '../../drizzle/pg/schema.ts'
import { auditColumns } from './audit-rows.ts'
import type { PgDb, PgTx } from './pg-db.ts'
import type { NewAuditRecord } from './storage.ts'

/** One channel for the database: every instance on it serves the same boards and people. */
export const RIGHTS_CHANNEL = 'assay_rights'

/** Writes the entries, and sends what they tell, in `db`'s transaction (or on their own, outside one). */
export async function insertAudited(db: PgDb | PgTx, entries: NewAuditRecord | readonly NewAuditRecord[]): Promise<void> {
  const all: readonly NewAuditRecord[] = Array.isArray(entries) ? entries : [entries]
  if (all.length === 0) return
  await db.insert(auditLog).values(all.map(auditColumns))
  const payloads = all.flatMap((row) => row.tells ?? [])
  if (payloads.length === 0) return
  // One statement for them all: a password change tells one message for each session and token it ends, in the transaction holding the account's row.
  const rows = sql.join(payloads.map((payload) => sql`(${payload})`), sql`, `)
  await db.execute(sql`select pg_notify(${RIGHTS_CHANNEL}, told.payload) from (values ${rows}) as told(payload)`)
}
