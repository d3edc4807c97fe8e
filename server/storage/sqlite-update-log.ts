import { and, asc, count, eq, gt, lte } from 'drizzle-orm'
import { boardCheckpoints, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite.ts'
import type { LogEntry, MergeState, StoredBoardState, UpdateLogStore } from './storage.ts'

export class SqliteUpdateLogStore implements UpdateLogStore {
  constructor(private readonly db: SqliteDb) {}

  async append(boardId: string, entries: LogEntry[]): Promise<number> {
    const createdAt = new Date().toISOString()
    const rows = entries.map((entry) => ({ boardId, update: Buffer.from(entry.update), origin: entry.origin, createdAt }))
    return this.db.transaction((tx) => {
      const inserted = tx.insert(boardUpdates).values(rows).returning({ seq: boardUpdates.seq }).all()
      return Math.max(...inserted.map((row) => row.seq))
    })
  }

  async load(boardId: string): Promise<StoredBoardState> {
    return this.db.transaction((tx) => {
      const checkpoint = tx.select().from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).get()
      const through = checkpoint?.throughSeq ?? 0
      const rows = tx
        .select({ seq: boardUpdates.seq, update: boardUpdates.update })
        .from(boardUpdates)
        .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, through)))
        .orderBy(asc(boardUpdates.seq))
        .all()
      return {
        checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null,
        updates: rows.map((row) => new Uint8Array(row.update)),
        lastSeq: rows.at(-1)?.seq ?? through,
      }
    })
  }

  /**
   * The merge (seconds for a large board, in a worker thread) runs between the
   * read and the write; rows appended meanwhile have higher sequence numbers and
   * stay in the log. The write gives up if another compaction wrote first.
   */
  async compact(boardId: string, merge: MergeState): Promise<{ mergedRows: number }> {
    // Read together: better-sqlite3 is synchronous, so nothing runs between these two.
    const through = this.checkpointThrough(this.db, boardId)
    const state = await this.load(boardId)
    if (state.updates.length === 0) return { mergedRows: 0 }
    const merged = Buffer.from(await merge(state.checkpoint, state.updates))
    return this.db.transaction((tx) => {
      if (this.checkpointThrough(tx, boardId) !== through) return { mergedRows: 0 }
      const createdAt = new Date().toISOString()
      tx.insert(boardCheckpoints)
        .values({ boardId, state: merged, throughSeq: state.lastSeq, createdAt })
        .onConflictDoUpdate({ target: boardCheckpoints.boardId, set: { state: merged, throughSeq: state.lastSeq, createdAt } })
        .run()
      tx.delete(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, state.lastSeq))).run()
      return { mergedRows: state.updates.length }
    })
  }

  private checkpointThrough(db: Pick<SqliteDb, 'select'>, boardId: string): number {
    return db.select({ through: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).get()?.through ?? 0
  }

  async count(boardId: string): Promise<number> {
    const row = this.db.select({ n: count() }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()
    return row?.n ?? 0
  }
}
