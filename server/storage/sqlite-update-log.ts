import { and, asc, count, desc, eq, gt, sql } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import type { Clock } from '../clock.ts'
import { lastRowTime } from './log-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { LogEntry, LogRow, MergeState, StoredBoardState, UpdateLogStore } from './storage.ts'

type Reader = Pick<SqliteDb, 'select'>

export class SqliteUpdateLogStore implements UpdateLogStore {
  /**
   * The relay's hot path: built and prepared once, not for every commit
   * (building the query cost more than SQLite's insert).
   */
  private readonly insertRow

  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
  ) {
    this.insertRow = db
      .insert(boardUpdates)
      .values({ boardId: sql.placeholder('boardId'), update: sql.placeholder('update'), origin: sql.placeholder('origin'), createdAt: sql.placeholder('createdAt') })
      .returning({ seq: boardUpdates.seq })
      .prepare()
  }

  async append(boardId: string, entries: LogEntry[]): Promise<number> {
    const createdAt = this.clock().toISOString()
    const insert = (entry: LogEntry) => this.insertRow.get({ boardId, update: bufferView(entry.update), origin: entry.origin, createdAt })!.seq
    // One statement is a transaction of its own; a batch of several rows is wrapped in one.
    if (entries.length === 1) return insert(entries[0]!)
    return this.db.transaction(() => {
      let seq = 0
      for (const entry of entries) seq = insert(entry)
      return seq
    })
  }

  async load(boardId: string): Promise<StoredBoardState> {
    return this.db.transaction((tx) => {
      const { checkpoint, rows } = readTail(tx, boardId)
      return {
        checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null,
        updates: rows.map((row) => row.update),
        lastSeq: rows.at(-1)?.seq ?? checkpoint?.throughSeq ?? 0,
      }
    })
  }

  /**
   * The merge (seconds for a large board, in a worker thread) runs between the
   * read and the write; rows appended meanwhile have higher sequence numbers and
   * wait for the next compaction. The write gives up if another compaction wrote first.
   */
  async compact(boardId: string, merge: MergeState): Promise<{ mergedRows: number }> {
    // Read together: better-sqlite3 is synchronous, so nothing runs between these.
    const { checkpoint, rows } = this.db.transaction((tx) => readTail(tx, boardId))
    if (rows.length === 0) return { mergedRows: 0 }
    const through = checkpoint?.throughSeq ?? 0
    const folded = await merge(checkpoint ? new Uint8Array(checkpoint.state) : null, rows)
    return this.db.transaction((tx) => {
      if ((latestCheckpoint(tx, boardId)?.throughSeq ?? 0) !== through) return { mergedRows: 0 }
      tx.insert(boardCheckpoints)
        .values({ boardId, state: Buffer.from(folded.state), throughSeq: rows.at(-1)!.seq, at: lastRowTime(rows), createdAt: this.clock().toISOString() })
        .run()
      if (folded.changes.length > 0) tx.insert(boardChanges).values(folded.changes.map((change) => ({ boardId, ...change }))).run()
      return { mergedRows: rows.length }
    })
  }

  async count(boardId: string): Promise<number> {
    const through = latestCheckpoint(this.db, boardId)?.throughSeq ?? 0
    const row = this.db.select({ n: count() }).from(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, through))).get()
    return row?.n ?? 0
  }
}

/** The driver binds Buffers: a view of the same bytes, not a copy. */
const bufferView = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export function latestCheckpoint(db: Reader, boardId: string) {
  return db.select().from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1).get()
}

/** The latest checkpoint and every row after it, with their authors and times. */
export function readTail(db: Reader, boardId: string) {
  const checkpoint = latestCheckpoint(db, boardId)
  const rows: LogRow[] = db
    .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, checkpoint?.throughSeq ?? 0)))
    .orderBy(asc(boardUpdates.seq))
    .all()
    .map((row) => ({ ...row, update: new Uint8Array(row.update) }))
  return { checkpoint, rows }
}
