/**
 * The board's client id writers on SQLite (storage.ts, FirstWrites): stored
 * in an append's own transaction, read as its room loads. Prepared once, as
 * the append's own statements: built at each page's first write, Drizzle's
 * queries cost some 0.3 ms of the relay's thread.
 */
import { and, asc, count, desc, eq, notInArray, sql } from 'drizzle-orm'
import { boardClientWriters } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { ClientIdTaken } from './storage-errors.ts'
import { trimsWriterIds, WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK, type ClientWriter, type FirstWrites } from './storage.ts'

export type SqliteClientWriters = ReturnType<typeof sqliteClientWriters>

export function sqliteClientWriters(db: SqliteDb) {
  const boardId = sql.placeholder('boardId')
  const userId = sql.placeholder('userId')
  const clientId = sql.placeholder('clientId')
  const insert = db.insert(boardClientWriters).values({ boardId, clientId, userId, seq: sql.placeholder('seq') }).onConflictDoNothing().prepare()
  const writer = db
    .select({ userId: boardClientWriters.userId })
    .from(boardClientWriters)
    .where(and(eq(boardClientWriters.boardId, boardId), eq(boardClientWriters.clientId, clientId)))
    .prepare()
  const account = and(eq(boardClientWriters.boardId, boardId), eq(boardClientWriters.userId, userId))
  const accountIds = db.select({ n: count() }).from(boardClientWriters).where(account).prepare()
  const newest = db.select({ clientId: boardClientWriters.clientId }).from(boardClientWriters).where(account).orderBy(desc(boardClientWriters.seq), desc(boardClientWriters.clientId)).limit(WRITER_IDS_PER_ACCOUNT)
  const dropOldest = db.delete(boardClientWriters).where(and(account, notInArray(boardClientWriters.clientId, newest))).prepare()
  const all = db
    .select({ clientId: boardClientWriters.clientId, userId: boardClientWriters.userId })
    .from(boardClientWriters)
    .where(eq(boardClientWriters.boardId, boardId))
    .orderBy(asc(boardClientWriters.seq), asc(boardClientWriters.clientId))
    .prepare()
  return {
    /**
     * Stores `firstWrites` as written by the log row `seq`, the batch's entry
     * `entry`, and, once the account holds more than WRITER_IDS_SLACK past
     * WRITER_IDS_PER_ACCOUNT, drops its oldest down to WRITER_IDS_PER_ACCOUNT
     * (never the server's: trimsWriterIds).
     * Throws ClientIdTaken when one is another account's already. Run in the
     * append's transaction: a throw stores nothing of it.
     */
    store(board: string, seq: number, entry: number, firstWrites: FirstWrites): void {
      const user = firstWrites.userId
      for (const client of firstWrites.clients) {
        if (insert.run({ boardId: board, clientId: client, userId: user, seq }).changes === 1) continue
        const held = writer.get({ boardId: board, clientId: client })?.userId
        if (held !== undefined && held !== user) throw new ClientIdTaken(board, entry, client, held)
      }
      if (trimsWriterIds(user) && (accountIds.get({ boardId: board, userId: user })?.n ?? 0) > WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK) dropOldest.run({ boardId: board, userId: user })
    },
    /** The board's client ids and who wrote under them, each account's oldest first. */
    read(board: string): ClientWriter[] {
      return all.all({ boardId: board })
    },
  }
}
