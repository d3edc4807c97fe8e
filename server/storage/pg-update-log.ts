import { and, asc, count, eq, gt, lte, sql } from 'drizzle-orm'
import { boardCheckpoints, boardUpdates } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './postgres.ts'
import type { LogEntry, MergeState, StoredBoardState, UpdateLogStore } from './storage.ts'

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

export class PgUpdateLogStore implements UpdateLogStore {
  constructor(private readonly db: PgDb) {}

  async append(boardId: string, entries: LogEntry[]): Promise<number> {
    const createdAt = new Date().toISOString()
    const rows = entries.map((entry) => ({ boardId, update: Buffer.from(entry.update), origin: entry.origin, createdAt }))
    return this.db.transaction(async (tx) => {
      // Sequence numbers are handed out before commit, so two instances can commit out of order.
      // Appends share this lock and compaction takes it exclusively: it never checkpoints past a
      // row that is still on its way in.
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${boardLockKey(boardId)})`)
      const inserted = await tx.insert(boardUpdates).values(rows).returning({ seq: boardUpdates.seq })
      return Math.max(...inserted.map((row) => row.seq))
    })
  }

  async load(boardId: string): Promise<StoredBoardState> {
    // One snapshot of the database, so a compaction in between cannot hide rows.
    return this.db.transaction((tx) => readState(tx, boardId), { isolationLevel: 'repeatable read' })
  }

  /**
   * Reads under the board's lock taken exclusively, so no append is in flight:
   * every row up to `lastSeq` is committed and any later one gets a higher
   * number. The merge (seconds for a large board, in a worker thread) runs
   * with no lock held, so appends go on meanwhile. The write takes the lock
   * again and gives up if another instance compacted the board in between.
   */
  async compact(boardId: string, merge: MergeState): Promise<{ mergedRows: number }> {
    const read = await this.db.transaction(async (tx) => {
      await lockExclusively(tx, boardId)
      return { through: await checkpointThrough(tx, boardId), state: await readState(tx, boardId) }
    })
    const { state } = read
    if (state.updates.length === 0) return { mergedRows: 0 }
    const merged = Buffer.from(await merge(state.checkpoint, state.updates))
    return this.db.transaction(async (tx) => {
      await lockExclusively(tx, boardId)
      if ((await checkpointThrough(tx, boardId)) !== read.through) return { mergedRows: 0 }
      const createdAt = new Date().toISOString()
      await tx
        .insert(boardCheckpoints)
        .values({ boardId, state: merged, throughSeq: state.lastSeq, createdAt })
        .onConflictDoUpdate({ target: boardCheckpoints.boardId, set: { state: merged, throughSeq: state.lastSeq, createdAt } })
      await tx.delete(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, state.lastSeq)))
      return { mergedRows: state.updates.length }
    })
  }

  async count(boardId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
    return row?.n ?? 0
  }
}

function boardLockKey(boardId: string) {
  return sql`hashtext(${'assay-board-log:' + boardId})`
}

async function lockExclusively(tx: Tx, boardId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${boardLockKey(boardId)})`)
}

async function checkpointThrough(tx: Tx, boardId: string): Promise<number> {
  const [row] = await tx.select({ through: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId))
  return row?.through ?? 0
}

async function readState(tx: Tx, boardId: string): Promise<StoredBoardState> {
  const [checkpoint] = await tx.select().from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId))
  const through = checkpoint?.throughSeq ?? 0
  const rows = await tx
    .select({ seq: boardUpdates.seq, update: boardUpdates.update })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, through)))
    .orderBy(asc(boardUpdates.seq))
  return {
    checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null,
    updates: rows.map((row) => new Uint8Array(row.update)),
    lastSeq: rows.at(-1)?.seq ?? through,
  }
}
