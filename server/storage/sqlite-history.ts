import { and, asc, desc, eq, gt, gte, inArray, lt, lte, max, min, or, sql, sum, count, type SQL } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import { thinHistory } from '../history/thin-history.ts'
import { pagesOfRows } from './log-rows.ts'
import { tailQueries, type TailQueries } from './sqlite-update-log.ts'
import { TailCounts } from './tail-counts.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { ChangeFilter, ChangePosition, CheckpointInfo, HistoryPolicy, HistorySize, HistoryStart, HistoryStore, KeptStart, LogRow, LogRowInfo, RowRange, RowsUpTo, StoredChange, TailState, ThinningOps } from './storage.ts'

/** Rows of a past moment read in one turn of the event loop: a few milliseconds, the relay's work going on between. */
const ROWS_PER_PAGE = 2_000

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
/** The first of `changes` (oldest first) whose bytes come to at most `maxBytes`, and always the first: a statement drops at least one. */
function withinBytes<T extends { bytes: number | null }>(changes: readonly T[], maxBytes: number): T[] {
  let bytes = 0
  let taken = 0
  while (taken < changes.length && (taken === 0 || bytes + Number(changes[taken]!.bytes ?? 0) <= maxBytes)) bytes += Number(changes[taken++]!.bytes ?? 0)
  return changes.slice(0, taken)
}

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
function keptFromIn(tx: Pick<SqliteDb, 'select'>, boardId: string): string | null {
  const oldest = tx.select({ through: boardCheckpoints.throughSeq, at: boardCheckpoints.at }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(asc(boardCheckpoints.throughSeq)).limit(1).get()
  const first = tx.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()?.seq ?? null
  return !oldest || (first !== null && first <= oldest.through) ? null : oldest.at
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly tailOf: TailQueries
  /** Rows after each board's latest checkpoint, counted once and then for the rows added since. */
  private readonly tailCounts = new TailCounts()

  constructor(private readonly db: SqliteDb) {
    this.tailOf = tailQueries(db)
  }

  async startAt(boardId: string, at: string): Promise<HistoryStart> {
    return this.db.transaction((tx) => {
      const checkpoint = tx
        .select({ throughSeq: boardCheckpoints.throughSeq, at: boardCheckpoints.at, rowsKept: boardCheckpoints.rowsKept })
        .from(boardCheckpoints)
        .where(and(eq(boardCheckpoints.boardId, boardId), lte(boardCheckpoints.at, at)))
        .orderBy(desc(boardCheckpoints.throughSeq))
        .limit(1)
        .get()
      // Before the oldest kept checkpoint: rebuilt from the start, unless its rows were dropped.
      return { checkpoint: checkpoint ?? null, keptFrom: checkpoint ? null : keptFromIn(tx, boardId) }
    })
  }

  async positionBounds(boardId: string, at: string): Promise<{ checkpoint: number | null; through: number | null }> {
    return this.db.transaction((tx) => {
      const checkpointAt = (time: SQL | undefined, seq: typeof max) =>
        tx.select({ seq: seq(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), time)).get()?.seq ?? null
      const checkpoint = checkpointAt(lte(boardCheckpoints.at, at), max)
      const next = checkpointAt(gt(boardCheckpoints.at, at), min)
      const through = next ?? tx.select({ seq: max(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()?.seq ?? null
      return { checkpoint, through }
    })
  }

  async rowFrom(boardId: string, seq: number): Promise<{ seq: number; at: string } | null> {
    const row = this.db
      .select({ seq: boardUpdates.seq, at: boardUpdates.createdAt })
      .from(boardUpdates)
      .where(and(eq(boardUpdates.boardId, boardId), gte(boardUpdates.seq, seq)))
      .orderBy(asc(boardUpdates.seq))
      .limit(1)
      .get()
    return row ?? null
  }

  async checkpointState(boardId: string, throughSeq: number): Promise<Uint8Array | null> {
    const row = this.db
      .select({ state: boardCheckpoints.state })
      .from(boardCheckpoints)
      .where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, throughSeq)))
      .get()
    return row ? new Uint8Array(row.state) : null
  }

  rowsUpTo(boardId: string, range: RowsUpTo): AsyncIterable<LogRow[]> {
    const page = async (afterSeq: number, limit: number) =>
      this.db
        .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
        .from(boardUpdates)
        .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, afterSeq), lte(boardUpdates.createdAt, range.at)))
        .orderBy(asc(boardUpdates.seq))
        .limit(limit)
        .all()
        .map((row) => ({ ...row, update: new Uint8Array(row.update) }))
    return pagesOfRows(page, range.afterSeq, ROWS_PER_PAGE)
  }

  async writtenAfter(boardId: string, afterSeq: number): Promise<number> {
    // octet_length reads a blob's size from its record header, never the blob.
    const rows = this.db
      .select({ bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
      .from(boardUpdates)
      .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, afterSeq)))
      .get()
    return rows?.bytes ?? 0
  }

  async keptFrom(boardId: string): Promise<string | null> {
    return this.db.transaction((tx) => keptFromIn(tx, boardId))
  }

  async tail(boardId: string): Promise<{ checkpoint: Uint8Array | null; throughSeq: number; rows: LogRow[] }> {
    const { checkpoint, rows } = this.tailOf.readTail(boardId)
    return { checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null, throughSeq: checkpoint?.throughSeq ?? 0, rows }
  }

  async deleteRows(boardId: string, seqs: readonly number[]): Promise<number> {
    const deleted = this.db.delete(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), inArray(boardUpdates.seq, [...seqs]))).run().changes
    this.tailCounts.forget(boardId)
    return deleted
  }

  async tailState(boardId: string): Promise<TailState> {
    return this.db.transaction((tx) => {
      const throughSeq = tx.select({ through: max(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).get()?.through ?? 0
      // Apart: SQLite reads a lone min() or max() from one end of the index, both in one statement from every row between.
      const after = and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, throughSeq))
      const first = tx.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(after).get()
      const last = tx.select({ seq: max(boardUpdates.seq) }).from(boardUpdates).where(after).get()
      const bounds = { throughSeq, firstSeq: first?.seq ?? null, lastSeq: last?.seq ?? null }
      const toCount = this.tailCounts.toCount(boardId, bounds)
      const rows =
        toCount.throughSeq === toCount.afterSeq
          ? 0
          : (tx
              .select({ rows: count() })
              .from(boardUpdates)
              .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, toCount.afterSeq), lte(boardUpdates.seq, toCount.throughSeq)))
              .get()?.rows ?? 0)
      return this.tailCounts.counted(boardId, bounds, toCount, rows)
    })
  }

  async keptStart(boardId: string): Promise<KeptStart> {
    return this.db.transaction((tx) => {
      const kept = tx.select({ checkpoints: count(), oldest: min(boardCheckpoints.throughSeq) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).get()
      const row = tx.select({ oldest: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()
      const change = tx.select({ oldest: min(boardChanges.at) }).from(boardChanges).where(eq(boardChanges.boardId, boardId)).get()
      return { checkpoints: kept?.checkpoints ?? 0, oldestCheckpoint: kept?.oldest ?? null, oldestRow: row?.oldest ?? null, oldestChange: change?.oldest ?? null }
    })
  }

  async checkpoints(boardId: string): Promise<CheckpointInfo[]> {
    return this.db
      .select({ throughSeq: boardCheckpoints.throughSeq, at: boardCheckpoints.at, rowsKept: boardCheckpoints.rowsKept, bytes: sql<number>`length(${boardCheckpoints.state})` })
      .from(boardCheckpoints)
      .where(eq(boardCheckpoints.boardId, boardId))
      .orderBy(asc(boardCheckpoints.throughSeq))
      .all()
  }

  async rowInfo(boardId: string, range: RowRange): Promise<LogRowInfo[]> {
    const rows = this.db
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
      .all()
    return rows.reverse()
  }

  async changes(boardId: string, filter: ChangeFilter): Promise<StoredChange[]> {
    return this.db
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
      .all()
  }

  thin(boardId: string, policy: HistoryPolicy, now: string) {
    return thinHistory(this.thinningOps(boardId), policy, now)
  }

  thinningOps(boardId: string): ThinningOps {
    const { db } = this
    return {
      checkpoints: () => this.checkpoints(boardId),
      firstRow: async () => db.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()?.seq ?? null,
      async dropCheckpoints(throughSeqs) {
        if (throughSeqs.length === 0) return []
        return db.transaction((tx) => {
          const first = tx.select({ seq: min(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()?.seq ?? null
          const base =
            first === null
              ? undefined
              : tx
                  .select({ seq: max(boardCheckpoints.throughSeq) })
                  .from(boardCheckpoints)
                  .where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, first)))
                  .get()?.seq
          const dropped = throughSeqs.filter((seq) => seq !== base)
          if (dropped.length === 0) return []
          return tx
            .delete(boardCheckpoints)
            .where(and(eq(boardCheckpoints.boardId, boardId), inArray(boardCheckpoints.throughSeq, dropped)))
            .returning({ seq: boardCheckpoints.throughSeq })
            .all()
            .map((row) => row.seq)
        })
      },
      async dropRowsThrough(seq) {
        return db.transaction((tx) => {
          const boundary = tx.select({ seq: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, seq))).get()
          if (!boundary) return null
          const through = and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, seq))
          const gone = tx.select({ bytes: sum(sql`length(${boardUpdates.update})`) }).from(boardUpdates).where(through).get()
          tx.update(boardCheckpoints).set({ rowsKept: false }).where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, seq))).run()
          return { count: tx.delete(boardUpdates).where(through).run().changes, bytes: Number(gone?.bytes ?? 0) }
        })
      },
      async dropChanges(at, limit) {
        return db.transaction((tx) => {
          const candidates = tx
            .select({ id: boardChanges.id, bytes: changeBytes })
            .from(boardChanges)
            .where(and(eq(boardChanges.boardId, boardId), lt(boardChanges.at, at)))
            .orderBy(asc(boardChanges.at))
            .limit(limit.count)
            .all()
          const oldest = withinBytes(candidates, limit.bytes)
          if (oldest.length > 0) tx.delete(boardChanges).where(inArray(boardChanges.id, oldest.map((change) => change.id))).run()
          const bytes = oldest.reduce((total, change) => total + Number(change.bytes ?? 0), 0)
          return { count: oldest.length, bytes, more: oldest.length < candidates.length || candidates.length === limit.count }
        })
      },
      size: () => this.size(boardId),
    }
  }

  async size(boardId: string): Promise<HistorySize> {
    const rows = this.db.select({ n: count(), bytes: sum(sql`length(${boardUpdates.update})`) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()
    const checkpoints = this.db.select({ n: count(), bytes: sum(sql`length(${boardCheckpoints.state})`) }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).get()
    const changes = this.db
      .select({ n: count(), bytes: sum(changeBytes) })
      .from(boardChanges)
      .where(eq(boardChanges.boardId, boardId))
      .get()
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
