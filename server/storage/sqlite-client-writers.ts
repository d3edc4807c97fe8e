/**
 * The board's client id writers on SQLite (storage.ts, FirstWrites): stored
 * in an append's own transaction, read as its room loads.
 */
import { and, asc, desc, eq, inArray, notInArray } from 'drizzle-orm'
import { boardClientWriters } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { ClientIdTaken } from './storage-errors.ts'
import { WRITER_IDS_PER_ACCOUNT, type ClientWriter, type FirstWrites } from './storage.ts'

/**
 * Stores `firstWrites` as written by the log row `seq`, the batch's entry
 * `entry`, and drops the account's oldest past WRITER_IDS_PER_ACCOUNT.
 * Throws ClientIdTaken when one is another account's already. Run in the
 * append's transaction: a throw stores nothing of it.
 */
export function storeFirstWrites(db: SqliteDb, boardId: string, seq: number, entry: number, { userId, clients }: FirstWrites): void {
  const rows = clients.map((clientId) => ({ boardId, clientId, userId, seq }))
  const inserted = db.insert(boardClientWriters).values(rows).onConflictDoNothing().returning({ clientId: boardClientWriters.clientId }).all()
  if (inserted.length < clients.length) {
    const held = db
      .select({ clientId: boardClientWriters.clientId, userId: boardClientWriters.userId })
      .from(boardClientWriters)
      .where(and(eq(boardClientWriters.boardId, boardId), inArray(boardClientWriters.clientId, [...clients])))
      .all()
    const taken = held.find((writer) => writer.userId !== userId)
    if (taken) throw new ClientIdTaken(boardId, entry, taken.clientId)
  }
  const account = and(eq(boardClientWriters.boardId, boardId), eq(boardClientWriters.userId, userId))
  const kept = db.select({ clientId: boardClientWriters.clientId }).from(boardClientWriters).where(account).orderBy(desc(boardClientWriters.seq), desc(boardClientWriters.clientId)).limit(WRITER_IDS_PER_ACCOUNT)
  db.delete(boardClientWriters).where(and(account, notInArray(boardClientWriters.clientId, kept))).run()
}

/** The board's client ids and who wrote under them, each account's oldest first. */
export function readWriters(db: SqliteDb, boardId: string): ClientWriter[] {
  return db
    .select({ clientId: boardClientWriters.clientId, userId: boardClientWriters.userId })
    .from(boardClientWriters)
    .where(eq(boardClientWriters.boardId, boardId))
    .orderBy(asc(boardClientWriters.seq), asc(boardClientWriters.clientId))
    .all()
}
