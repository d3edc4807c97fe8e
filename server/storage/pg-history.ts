import { and, asc, count, desc, eq, gt, gte, inArray, lt, lte, max, min, or, sql, sum, type SQL } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boardUpdates } from '../../drizzle/pg/schema.ts'
import { thinHistory } from '../history/thin-history.ts'
import { pagesOfRows } from './log-rows.ts'
import { checkpointKeptThrough, lockExclusively, readTail } from './pg-update-log.ts'
import type { PgDb } from './pg-db.ts'
import { TailCounts } from './tail-counts.ts'
import type { ChangeFilter, ChangePosition, CheckpointInfo, HistoryPolicy, HistorySize, HistoryStart, HistoryStore, KeptStart, LogRow, LogRowInfo, RowRange, RowsUpTo, StoredChange, TailState, ThinningOps } from './storage.ts'

/**
 * Rows of a past moment read in one page. The rows of a page are taken apart
 * on the thread that reads them (a worker's: storage/pg-reader.ts): pages of
 * 20,000 held its event loop 55 to 148 ms at a time for one read of 50,000
 * rows, pages of 5,000 15 to 26 ms, and the read took no longer (222 to 282
 * ms, before PostgreSQL had gathered the table's statistics). Smaller pages
 * cost a round trip each (2,000: 600 ms in all).
 */
const ROWS_PER_PAGE = 5_000

const changeColumns = {
  assessmentId: boardChanges.assessmentId,
  field: boardChanges.field,
  fromValue: boardChanges.fromValue,
  toValue: boardChanges.toValue,
  author: boardChanges.author,
  firstAt: boardChanges.firstAt,
  at: boardChanges.at,
  seq: boardChanges.seq,
  id: boardChanges.id,
}

/** A recorded change's bytes, as the history's size counts them. */
const changeBytes = sql<number | null>`octet_length(${boardChanges.fromValue}) + octet_length(${boardChanges.toValue})`

/** Changes older than `position` in the board's order (the index on board, seq and id serves it). */
function before(position: ChangePosition) {
  return or(lt(boardChanges.seq, position.seq), and(eq(boardChanges.seq, position.seq), lt(boardChanges.id, position.id)))
}

/**
 * When the board's kept history starts (its oldest checkpoint, once the rows before it were dropped), or null when
 * it is kept from the start. Thinning drops rows only through a checkpoint it keeps, the checkpoints before that
 * one only once those rows are gone, and that one (the base the rows left build on) only with them (thin-history.ts,
 * retention-plan.ts): so once rows were dropped, the oldest checkpoint is older than the first row left, and a row
 * at or before it means that none was.
 */
async function keptFromIn(tx: Pick<PgDb, 'select'>, boardId: string): Promise<string | null> {
  const [oldest] = await tx.select({ through: boardCheckpoints.throughSeq, at: boardCheckpoints.at }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(asc(boardCheckpoints.throughSeq)).limit(1)
  const [first] = await tx.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
  const firstSeq = first?.seq ?? null
  return !oldest || (firstSeq !== null && firstSeq <= oldest.through) ? null : oldest.at
}

export class PgHistoryStore implements HistoryStore {
  /** Rows after each board's latest checkpoint, counted once and then for the rows added since. */
  private readonly tailCounts = new TailCounts()

  constructor(private readonly db: PgDb) {}

  async startAt(boardId: string, at: string): Promise<HistoryStart> {
    // One snapshot of the database, so that thinning in between cannot drop the rows before the board's first checkpoint unseen.
    return this.db.transaction(
      async (tx) => {
        const [checkpoint] = await tx
          .select({ throughSeq: boardCheckpoints.throughSeq, at: boardCheckpoints.at, rowsKept: boardCheckpoints.rowsKept })
          .from(boardCheckpoints)
          .where(and(eq(boardCheckpoints.boardId, boardId), lte(boardCheckpoints.at, at)))
          .orderBy(desc(boardCheckpoints.throughSeq))
          .limit(1)
        // Before the oldest kept checkpoint: rebuilt from the start, unless its rows were dropped.
        return { checkpoint: checkpoint ?? null, keptFrom: checkpoint ? null : await keptFromIn(tx, boardId) }
      },
      { isolationLevel: 'repeatable read' },
    )
  }

  async positionBounds(boardId: string, at: string): Promise<{ checkpoint: number | null; through: number | null }> {
    return this.db.transaction(
      async (tx) => {
        const checkpointAt = async (time: SQL | undefined, seq: typeof max) => {
          const [found] = await tx.select({ seq: seq(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), time))
          return found?.seq == null ? null : Number(found.seq)
        }
        const checkpoint = await checkpointAt(lte(boardCheckpoints.at, at), max)
        const next = await checkpointAt(gt(boardCheckpoints.at, at), min)
        if (next !== null) return { checkpoint, through: next }
        const [last] = await tx.select({ seq: max(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
        return { checkpoint, through: last?.seq == null ? null : Number(last.seq) }
      },
      { isolationLevel: 'repeatable read' },
    )
  }

  async rowFrom(boardId: string, seq: number): Promise<{ seq: number; at: string } | null> {
    const [row] = await this.db
      .select({ seq: boardUpdates.seq, at: boardUpdates.createdAt })
      .from(boardUpdates)
      .where(and(eq(boardUpdates.boardId, boardId), gte(boardUpdates.seq, seq)))
      .orderBy(asc(boardUpdates.seq))
      .limit(1)
    return row ? { seq: Number(row.seq), at: row.at } : null
  }

  async checkpointState(boardId: string, throughSeq: number): Promise<Uint8Array | null> {
    const [row] = await this.db
      .select({ state: boardCheckpoints.state })
      .from(boardCheckpoints)
      .where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, throughSeq)))
    return row ? new Uint8Array(row.state) : null
  }

  rowsUpTo(boardId: string, range: RowsUpTo): AsyncIterable<LogRow[]> {
    const page = async (afterSeq: number, limit: number) => {
      const rows = await this.db
        .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
        .from(boardUpdates)
        .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, afterSeq), lte(boardUpdates.createdAt, range.at)))
        .orderBy(asc(boardUpdates.seq))
        .limit(limit)
      return rows.map((row) => ({ ...row, update: new Uint8Array(row.update) }))
    }
    return pagesOfRows(page, range.afterSeq, ROWS_PER_PAGE)
  }

  async writtenAfter(boardId: string, afterSeq: number): Promise<number> {
    const [rows] = await this.db
      .select({ bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
      .from(boardUpdates)
      .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, afterSeq)))
    return rows?.bytes ?? 0
  }

  async keptFrom(boardId: string): Promise<string | null> {
    return this.db.transaction((tx) => keptFromIn(tx, boardId), { isolationLevel: 'repeatable read' })
  }

  async tail(boardId: string): Promise<{ checkpoint: Uint8Array | null; throughSeq: number; rows: LogRow[] }> {
    const { checkpoint, rows } = await this.db.transaction((tx) => readTail(tx, boardId), { isolationLevel: 'repeatable read' })
    return { checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null, throughSeq: checkpoint?.throughSeq ?? 0, rows }
  }

  async deleteRows(boardId: string, seqs: readonly number[]): Promise<number> {
    const deleted = await this.db.delete(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), inArray(boardUpdates.seq, [...seqs]))).returning({ seq: boardUpdates.seq })
    this.tailCounts.forget(boardId)
    return deleted.length
  }

  async tailState(boardId: string): Promise<TailState> {
    return this.db.transaction(
      async (tx) => {
        const [checkpoint] = await tx.select({ through: max(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId))
        const throughSeq = Number(checkpoint?.through ?? 0)
        const [after] = await tx
          .select({ firstSeq: min(boardUpdates.seq), lastSeq: max(boardUpdates.seq) })
          .from(boardUpdates)
          .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, throughSeq)))
        const bounds = { throughSeq, firstSeq: after?.firstSeq == null ? null : Number(after.firstSeq), lastSeq: after?.lastSeq == null ? null : Number(after.lastSeq) }
        const toCount = this.tailCounts.toCount(boardId, bounds)
        if (toCount.throughSeq === toCount.afterSeq) return this.tailCounts.counted(boardId, bounds, toCount, 0)
        const [counted] = await tx
          .select({ rows: count() })
          .from(boardUpdates)
          .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, toCount.afterSeq), lte(boardUpdates.seq, toCount.throughSeq)))
        return this.tailCounts.counted(boardId, bounds, toCount, Number(counted?.rows ?? 0))
      },
      { isolationLevel: 'repeatable read' },
    )
  }

  async keptStart(boardId: string): Promise<KeptStart> {
    return this.db.transaction(
      async (tx) => {
        const [kept] = await tx.select({ checkpoints: count(), oldest: min(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId))
        const [row] = await tx.select({ oldest: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
        const [change] = await tx.select({ oldest: min(boardChanges.at) }).from(boardChanges).where(eq(boardChanges.boardId, boardId))
        return {
          checkpoints: Number(kept?.checkpoints ?? 0),
          oldestCheckpoint: kept?.oldest == null ? null : Number(kept.oldest),
          oldestRow: row?.oldest == null ? null : Number(row.oldest),
          oldestChange: change?.oldest ?? null,
        }
      },
      { isolationLevel: 'repeatable read' },
    )
  }

  async checkpoints(boardId: string): Promise<CheckpointInfo[]> {
    const rows = await this.db
      .select({ throughSeq: boardCheckpoints.throughSeq, at: boardCheckpoints.at, rowsKept: boardCheckpoints.rowsKept, bytes: sql<number>`length(${boardCheckpoints.state})` })
      .from(boardCheckpoints)
      .where(eq(boardCheckpoints.boardId, boardId))
      .orderBy(asc(boardCheckpoints.throughSeq))
    return rows.map((row) => ({ ...row, bytes: Number(row.bytes) }))
  }

  async rowInfo(boardId: string, range: RowRange): Promise<LogRowInfo[]> {
    const rows = await this.db
      .select({ seq: boardUpdates.seq, origin: boardUpdates.origin, at: boardUpdates.createdAt })
      .from(boardUpdates)
      .where(
        and(
          eq(boardUpdates.boardId, boardId),
          gte(boardUpdates.createdAt, range.from),
          lte(boardUpdates.createdAt, range.to),
          range.beforeSeq === undefined ? undefined : lt(boardUpdates.seq, range.beforeSeq),
        ),
      )
      .orderBy(desc(boardUpdates.seq))
      .limit(range.limit)
    return rows.reverse()
  }

  async changes(boardId: string, filter: ChangeFilter): Promise<StoredChange[]> {
    return await this.db
      .select(changeColumns)
      .from(boardChanges)
      .where(
        and(
          eq(boardChanges.boardId, boardId),
          filter.assessmentId === undefined ? undefined : eq(boardChanges.assessmentId, filter.assessmentId),
          filter.from === undefined ? undefined : gt(boardChanges.at, filter.from),
          filter.to === undefined ? undefined : lte(boardChanges.at, filter.to),
          filter.throughSeq === undefined ? undefined : lte(boardChanges.seq, filter.throughSeq),
          filter.before === undefined ? undefined : before(filter.before),
        ),
      )
      .orderBy(desc(boardChanges.seq), desc(boardChanges.id))
      .limit(filter.limit)
  }

  thin(boardId: string, policy: HistoryPolicy, now: string) {
    return thinHistory(this.thinningOps(boardId), policy, now)
  }

  thinningOps(boardId: string): ThinningOps {
    const { db } = this
    return {
      checkpoints: () => this.checkpoints(boardId),
      async firstRow() {
        const [first] = await db.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
        return first?.seq == null ? null : Number(first.seq)
      },
      async dropCheckpoints(throughSeqs) {
        if (throughSeqs.length === 0) return []
        return db.transaction(async (tx) => {
          // The board's lock exclusively: a row drop holds it shared (checkpointKeptThrough), so it has committed, and
          // the statements below read what it left, or waits until this commits; shared, the two would not exclude each other.
          await lockExclusively(tx, boardId)
          const [first] = await tx.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
          const [base] =
            first?.seq == null
              ? []
              : await tx
                  .select({ seq: max(boardCheckpoints.throughSeq) })
                  .from(boardCheckpoints)
                  .where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, Number(first.seq))))
          const dropped = throughSeqs.filter((seq) => base?.seq == null || seq !== Number(base.seq))
          if (dropped.length === 0) return []
          const deleted = await tx
            .delete(boardCheckpoints)
            .where(and(eq(boardCheckpoints.boardId, boardId), inArray(boardCheckpoints.throughSeq, dropped)))
            .returning({ seq: boardCheckpoints.throughSeq })
          return deleted.map((row) => Number(row.seq))
        })
      },
      async dropRowsThrough(seq) {
        return db.transaction(async (tx) => {
          // Under the board's lock shared, as an append: a compaction, which may delete the checkpoint (holding it exclusively), is done or waits.
          if (!(await checkpointKeptThrough(tx, boardId, seq))) return null
          await tx.update(boardCheckpoints).set({ rowsKept: false }).where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, seq)))
          const deleted = await tx
            .delete(boardUpdates)
            .where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, seq)))
            .returning({ bytes: sql<number>`length(${boardUpdates.update})` })
          return { count: deleted.length, bytes: deleted.reduce((total, row) => total + Number(row.bytes), 0) }
        })
      },
      async dropChanges(at, limit) {
        const oldest = db
          .select({ id: boardChanges.id })
          .from(boardChanges)
          .where(and(eq(boardChanges.boardId, boardId), lt(boardChanges.at, at)))
          .orderBy(asc(boardChanges.at))
          .limit(limit.count)
        // Limited by count only: the delete's bytes are PostgreSQL's work, not the relay's.
        const deleted = await db.delete(boardChanges).where(inArray(boardChanges.id, oldest)).returning({ bytes: changeBytes })
        return { count: deleted.length, bytes: deleted.reduce((total, change) => total + Number(change.bytes ?? 0), 0), more: deleted.length === limit.count }
      },
      size: () => this.size(boardId),
    }
  }

  async size(boardId: string): Promise<HistorySize> {
    const [rows] = await this.db.select({ n: count(), bytes: sum(sql`length(${boardUpdates.update})`) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId))
    const [checkpoints] = await this.db.select({ n: count(), bytes: sum(sql`length(${boardCheckpoints.state})`) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId))
    const [changes] = await this.db
      .select({ n: count(), bytes: sum(changeBytes) })
      .from(boardChanges)
      .where(eq(boardChanges.boardId, boardId))
    return {
      rows: rows?.n ?? 0,
      rowBytes: Number(rows?.bytes ?? 0),
      checkpoints: checkpoints?.n ?? 0,
      checkpointBytes: Number(checkpoints?.bytes ?? 0),
      changes: changes?.n ?? 0,
      changeBytes: Number(changes?.bytes ?? 0),
    }
  }
}
