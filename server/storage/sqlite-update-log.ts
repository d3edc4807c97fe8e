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

  async compact(boardId: string, merge: MergeState): Promise<{ mergedRows: number }> {
    const state = await this.load(boardId)
    if (state.updates.length === 0) return { mergedRows: 0 }
    const merged = Buffer.from(await merge(state.checkpoint, state.updates))
    // Rows appended after the load (during the merge, too) have higher sequence numbers and stay in the log.
    this.db.transaction((tx) => {
      tx.insert(boardCheckpoints)
        .values({ boardId, state: merged, throughSeq: state.lastSeq, createdAt: new Date().toISOString() })
        .onConflictDoUpdate({
          target: boardCheckpoints.boardId,
          set: { state: merged, throughSeq: state.lastSeq, createdAt: new Date().toISOString() },
        })
        .run()
      tx.delete(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, state.lastSeq))).run()
    })
    return { mergedRows: state.updates.length }
  }

  async count(boardId: string): Promise<number> {
    const row = this.db.select({ n: count() }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()
    return row?.n ?? 0
  }
}
