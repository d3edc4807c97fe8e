/**
 * The board's client id writers on PostgreSQL (storage.ts, FirstWrites):
 * stored in an append's own transaction, read as its room loads. The key on
 * (board, client id) settles two instances storing one id for two accounts
 * at once: the second insert waits for the first transaction, then finds the
 * id taken.
 */
import { and, asc, count, desc, eq, inArray, notInArray } from 'drizzle-orm'
import { boardClientWriters } from '../../drizzle/pg/schema.ts'
import type { PgDb, PgTx } from './pg-db.ts'
import { ClientIdTaken } from './storage-errors.ts'
import { trimsWriterIds, WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK, type ClientWriter, type FirstWrites } from './storage.ts'

/**
 * Stores `firstWrites` as written by the log row `seq`, the batch's entry
 * `entry`, and, once the account holds more than WRITER_IDS_SLACK past
 * WRITER_IDS_PER_ACCOUNT, drops its oldest down to WRITER_IDS_PER_ACCOUNT
 * (never the server's: trimsWriterIds).
 * Rejects with ClientIdTaken when one is another account's already. Run in
 * the append's transaction: a rejection stores nothing of it.
 */
export async function storeFirstWrites(tx: PgTx, boardId: string, seq: number, entry: number, { userId, clients }: FirstWrites): Promise<void> {
  const rows = clients.map((clientId) => ({ boardId, clientId, userId, seq }))
  const inserted = await tx.insert(boardClientWriters).values(rows).onConflictDoNothing().returning({ clientId: boardClientWriters.clientId })
  if (inserted.length < clients.length) {
    const held = await tx
      .select({ clientId: boardClientWriters.clientId, userId: boardClientWriters.userId })
      .from(boardClientWriters)
      .where(and(eq(boardClientWriters.boardId, boardId), inArray(boardClientWriters.clientId, [...clients])))
    const taken = held.find((writer) => writer.userId !== userId)
    if (taken) throw new ClientIdTaken(boardId, entry, taken.clientId, taken.userId)
  }
  if (!trimsWriterIds(userId)) return
  const account = and(eq(boardClientWriters.boardId, boardId), eq(boardClientWriters.userId, userId))
  const [held] = await tx.select({ n: count() }).from(boardClientWriters).where(account)
  if ((held?.n ?? 0) <= WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK) return
  const kept = tx.select({ clientId: boardClientWriters.clientId }).from(boardClientWriters).where(account).orderBy(desc(boardClientWriters.seq), desc(boardClientWriters.clientId)).limit(WRITER_IDS_PER_ACCOUNT)
  await tx.delete(boardClientWriters).where(and(account, notInArray(boardClientWriters.clientId, kept)))
}

/** The board's client ids and who wrote under them, each account's oldest first. */
export function readWriters(db: PgDb, boardId: string): Promise<ClientWriter[]> {
  return db
    .select({ clientId: boardClientWriters.clientId, userId: boardClientWriters.userId })
    .from(boardClientWriters)
    .where(eq(boardClientWriters.boardId, boardId))
    .orderBy(asc(boardClientWriters.seq), asc(boardClientWriters.clientId))
}
