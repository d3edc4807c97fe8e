/**
 * A compaction's fold written to SQLite, whose statements run on the relay's
 * thread. In one transaction, the checkpoint and the changes a 20,000-row
 * slice records (5 MB of values, 50 at worst) held every board's keystrokes
 * and /healthz for two to three and a half seconds of a loaded machine
 * (BENCHMARKS.md). So the changes are written a batch per transaction, with
 * a turn of the event loop between them, and the checkpoint last, in a short
 * transaction of its own: it is what advances where the board's log is
 * folded through.
 *
 * Until it commits, the fold's changes follow the latest checkpoint (their
 * sequence numbers are those of the rows folded), where no reader takes
 * recorded changes from: a listing reads them only up to the checkpoint the
 * rows it attributes itself start from (change-listing.ts). Changes past the
 * latest checkpoint are thus what a fold wrote before it was cut off (the
 * process ended, the disk filled): a fold deletes them before it writes its
 * own, which are the same ones worked out again, so none is lost or counted
 * twice. SQLite commits in order, so a checkpoint that survives a crash has
 * every change before it. One process serves a SQLite file (board-turns.ts),
 * and its folds of a board write one at a time, so no fold's changes are
 * taken for another's leftovers.
 */
import { and, asc, count, desc, eq, gt, inArray, lt, lte, sql, sum } from 'drizzle-orm'
import { boardChanges, boardCheckpoints, boards, boardUpdates } from '../../drizzle/sqlite/schema.ts'
import { ProcessTurns } from '../boards/board-turns.ts'
import type { Clock } from '../clock.ts'
import { keepSuperseded } from '../history/earned-copies.ts'
import { changeBatches, changeValueBytes, NOTHING_COMPACTED, recordedByAuthor, type BatchLimits } from './change-batches.ts'
import { lastRowTime } from './log-rows.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { nextTurn } from './sqlite-tail-pages.ts'
import type { AssessmentChangeRecord, Compacted, FoldedLog, LogRow } from './storage.ts'

/**
 * A fold's changes written per transaction: a quarter of a PostgreSQL
 * statement's (change-batches.ts). With a statement's worth, the longest turn
 * of a 50 MB fold's write was 370 ms at a load of 23 on two cores; with this,
 * 160 ms at a load of 27 (BENCHMARKS.md).
 */
const CHANGES_PER_TRANSACTION: BatchLimits = { changes: 125, bytes: 256 * 1024 }
/** Leftovers of a fold cut off deleted per transaction: what a fold writes in one at most. */
const LEFTOVERS_PER_TRANSACTION = CHANGES_PER_TRANSACTION.changes

/** What a compaction writes: its rows' fold, over the checkpoint it started from (null on a board's first). */
export type FoldToWrite = { boardId: string; from: { throughSeq: number; bytes: number } | null; rows: readonly LogRow[]; folded: FoldedLog }

export class SqliteFoldWriter {
  private readonly folds = new ProcessTurns()
  private readonly boardRow
  private readonly latestThrough
  /** A change's insert, prepared once: no statement of hundreds of rows is built on the relay's thread. */
  private readonly insertChange

  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
  ) {
    const boardId = sql.placeholder('boardId')
    this.boardRow = db.select({ id: boards.id }).from(boards).where(eq(boards.id, boardId)).prepare()
    const column = (name: keyof AssessmentChangeRecord) => sql.placeholder(name)
    this.insertChange = db
      .insert(boardChanges)
      .values({
        boardId,
        assessmentId: column('assessmentId'),
        field: column('field'),
        fromValue: column('fromValue'),
        toValue: column('toValue'),
        author: column('author'),
        firstAt: column('firstAt'),
        at: column('at'),
        seq: column('seq'),
      })
      .prepare()
    this.latestThrough = db.select({ throughSeq: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1).prepare()
  }

  /**
   * Writes the fold unless the board is gone (its changes went with it) or,
   * before the fold wrote anything, its latest checkpoint no longer ends where
   * the fold started: a fold of the same rows that took its turn first wrote
   * them. Nothing is reported written then.
   */
  write(fold: FoldToWrite): Promise<Compacted> {
    return this.folds.take(fold.boardId, async () => {
      const through = fold.from?.throughSeq ?? 0
      const still = () => this.boardRow.get({ boardId: fold.boardId }) !== undefined && (this.latestThrough.get({ boardId: fold.boardId })?.throughSeq ?? 0) === through
      for (let more = true; more; ) {
        const dropped = this.db.transaction(() => (still() ? this.dropLeftovers(fold.boardId, through) : null))
        if (dropped === null) return NOTHING_COMPACTED
        more = dropped === LEFTOVERS_PER_TRANSACTION
        await nextTurn()
      }
      let changeBytes = 0
      for (const batch of changeBatches(fold.folded.changes, CHANGES_PER_TRANSACTION)) {
        const wrote = this.db.transaction(() => {
          if (!still()) return false
          for (const change of batch) this.insertChange.run({ boardId: fold.boardId, ...change })
          return true
        })
        if (!wrote) return NOTHING_COMPACTED
        changeBytes += batch.reduce((total, change) => total + changeValueBytes(change), 0)
        await nextTurn()
      }
      const checkpointed = this.db.transaction(() => {
        if (!still()) return false
        this.insertCheckpoint(fold)
        if (fold.from) this.dropUnearned(fold.boardId, fold.from)
        return true
      })
      if (!checkpointed) return NOTHING_COMPACTED
      return { mergedRows: fold.rows.length, checkpointBytes: fold.folded.state.byteLength, changeBytes, recordedByAuthor: recordedByAuthor(fold.folded.changes) }
    })
  }

  /** Deletes up to LEFTOVERS_PER_TRANSACTION changes past `through`, oldest first, in the caller's transaction: how many. */
  private dropLeftovers(boardId: string, through: number): number {
    const leftovers = this.db
      .select({ id: boardChanges.id })
      .from(boardChanges)
      .where(and(eq(boardChanges.boardId, boardId), gt(boardChanges.seq, through)))
      .orderBy(asc(boardChanges.seq), asc(boardChanges.id))
      .limit(LEFTOVERS_PER_TRANSACTION)
      .all()
      .map((change) => change.id)
    if (leftovers.length > 0) this.db.delete(boardChanges).where(inArray(boardChanges.id, leftovers)).run()
    return leftovers.length
  }

  private insertCheckpoint({ boardId, rows, folded }: FoldToWrite): void {
    this.db
      .insert(boardCheckpoints)
      .values({ boardId, state: Buffer.from(folded.state), throughSeq: rows.at(-1)!.seq, at: lastRowTime(rows), createdAt: this.clock().toISOString() })
      .run()
  }

  /**
   * Drops the checkpoint a compaction just superseded unless it is kept as
   * history (earned-copies.ts): what it held is the kept checkpoint before it
   * and the rows between, which stay.
   */
  private dropUnearned(boardId: string, superseded: { throughSeq: number; bytes: number }): void {
    const before = this.db
      .select({ through: boardCheckpoints.throughSeq })
      .from(boardCheckpoints)
      .where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, superseded.throughSeq)))
      .orderBy(desc(boardCheckpoints.throughSeq))
      .limit(1)
      .get()
    // octet_length reads a blob's size from its record header, never the blob.
    const since = this.db
      .select({ rows: count(), bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
      .from(boardUpdates)
      .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, before?.through ?? 0), lte(boardUpdates.seq, superseded.throughSeq)))
      .get()
    if (keepSuperseded(superseded.bytes, { rows: since?.rows ?? 0, bytes: since?.bytes ?? 0 })) return
    this.db.delete(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, superseded.throughSeq))).run()
  }
}
