import type { Statement } from 'better-sqlite3'
import { alias } from 'drizzle-orm/sqlite-core'
import { and, asc, count, desc, eq, gt, lte, max, Param, Placeholder, sql, sum } from 'drizzle-orm'
import { auditLog, boardChanges, boardCheckpoints, boards, boardUpdates, snapshots } from '../../drizzle/sqlite/schema.ts'
import type { Clock } from '../clock.ts'
import { auditColumns } from './audit-rows.ts'
import { stateBytes } from './driver-bytes.ts'
import type { FutureHistory } from './future-history.ts'
import { BOARDS_PER_PAGE, boardsAhead, datingBack, historyStamp, newestHistoryTime, type HistoryDialect } from './history-time.ts'
import { LOG_PAGE_ROWS, readTailInPages } from './sqlite-tail-pages.ts'
import type { SqliteDb } from './sqlite-db.ts'
import { sqliteClientWriters, type SqliteClientWriters } from './sqlite-client-writers.ts'
import { SqliteFoldWriter } from './sqlite-fold-write.ts'
import { BoardRowGone } from './storage-errors.ts'
import { NOTHING_COMPACTED } from './change-batches.ts'
import type { ClientWriter, Compacted, LogEntry, LogRow, MergeState, NewAuditRecord, StoredBoardState, StoredSince, UpdateLogStore } from './storage.ts'

export class SqliteUpdateLogStore implements UpdateLogStore {
  /**
   * The relay's hot paths (a commit, a board's load), built and prepared once
   * rather than per call: building a query cost more than SQLite running it.
   */
  private readonly appendRows: (boardId: string, entries: LogEntry[], now: Date, audited: NewAuditRecord | null) => number
  /** Dates the board's history back to `now` when it is too far ahead (UpdateLogStore.dateBackFuture), in a transaction of its own: whether it did. */
  private readonly dateBackBoard: (boardId: string, now: Date) => boolean
  /** A page of boards, each with whether its newest time is after `after` (BoardsPage): each board's times read from the ends of its indexes. */
  private readonly boardsPage
  private readonly toleranceMs: number
  private readonly tail: TailQueries
  private readonly clientWriters: SqliteClientWriters
  private readonly folds: SqliteFoldWriter

  /**
   * `checkFile` throws when the database file is no longer there to write
   * (sqlite-file-watch.ts): run before each commit, so that no edit is
   * acknowledged once it is gone.
   */
  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock,
    private readonly checkFile: () => void,
    future: FutureHistory,
    /** Rows read per statement when a board is loaded or compacted (sqlite-tail-pages.ts). */
    private readonly pageRows = LOG_PAGE_ROWS,
  ) {
    this.toleranceMs = future.toleranceMs
    const clientWriters = (this.clientWriters = sqliteClientWriters(db))
    this.folds = new SqliteFoldWriter(db, clock)
    // A keystroke's commit runs the driver's own statements, as Drizzle writes their SQL: a prepared Drizzle
    // query still maps its placeholders and result row on every call, about 2 µs of a commit's 45 to 50
    // (`npm run bench -- commit`, BENCHMARKS.md).
    // The board's newest time is read in the transaction that holds the write lock, so no row of the board can come
    // in between (history-time.ts), and with the board's row (none when the board is gone): one statement, as the
    // look-up of the row alone was.
    const boardNewest = driverStatement(
      db,
      db.select({ at: newestHistoryTime(HISTORY_TABLES, sql.placeholder('boardId'), SQLITE_HISTORY).as('at') }).from(boards).where(eq(boards.id, sql.placeholder('boardId'))),
      ['boardId', 'boardId', 'boardId', 'boardId', 'boardId'],
    )
    const insertRow = driverStatement(
      db,
      db.insert(boardUpdates).values({ boardId: sql.placeholder('boardId'), update: sql.placeholder('update'), origin: sql.placeholder('origin'), createdAt: sql.placeholder('createdAt') }),
      ['boardId', 'update', 'origin', 'createdAt'],
    )
    // better-sqlite3's own transaction, made once (as readTail's): the board's row is looked for in the
    // transaction that appends, so a deletion (its own transaction) comes wholly before or after it. The
    // log's tables have no foreign key to the board, so without the look-up a board deleted by another
    // instance would take rows all the same (storage-errors.ts, BoardRowGone). IMMEDIATE: it takes the
    // write lock before it reads, as the single INSERT it replaces did, so another process's write in
    // between (the command line) is waited for rather than failing the commit with SQLITE_BUSY_SNAPSHOT.
    // run() steps the statement to its end; the rowid it reports is the seq, which spares SQLite
    // building a `RETURNING` result for every keystroke (`npm run bench -- commit`). Never a returning
    // get(): it resets the statement after the first row and better-sqlite3 ignores what that reset
    // reports. A commit that fails (a full disk) throws out of the transaction.
    /** The time the board's rows are stored with now, its history dated back first when it is too far ahead of `now`; in the caller's transaction. */
    const stamped = (boardId: string, newest: string, now: Date) => {
      const stamp = historyStamp(now, newest, future.toleranceMs)
      if (stamp.datedBack) {
        for (const statement of datingBack(HISTORY_TABLES, boardId, stamp.at, SQLITE_HISTORY)) db.run(statement)
        future.datedBack(boardId, newest, stamp.at)
      }
      return stamp
    }
    this.appendRows = db.$client.transaction((boardId: string, entries: LogEntry[], now: Date, audited: NewAuditRecord | null) => {
      const board = boardNewest.get(boardId, boardId, boardId, boardId, boardId) as { at: string } | undefined
      if (board === undefined) throw new BoardRowGone(boardId)
      // A server-side change's entry (a restore's), rare: Drizzle's own insert, on the transaction's connection.
      if (audited) db.insert(auditLog).values(auditColumns(audited)).run()
      const stamp = stamped(boardId, board.at, now)
      let seq = 0
      for (const [index, entry] of entries.entries()) {
        seq = Number(insertRow.run(boardId, bufferView(entry.update), entry.origin, stamp.at).lastInsertRowid)
        // Rare, about once per page load that writes: Drizzle's prepared statements, on the transaction's connection.
        for (const firstWrites of entry.firstWrites ?? []) clientWriters.store(boardId, seq, index, firstWrites)
      }
      return seq
    }).immediate
    this.dateBackBoard = db.$client.transaction((boardId: string, now: Date) => {
      const board = boardNewest.get(boardId, boardId, boardId, boardId, boardId) as { at: string } | undefined
      return board !== undefined && stamped(boardId, board.at, now).datedBack
    }).immediate
    const ahead = alias(boards, 'ahead')
    this.boardsPage = db
      .select({ id: ahead.id, ahead: sql<number>`${newestHistoryTime(HISTORY_TABLES, ahead.id, SQLITE_HISTORY)} > ${sql.placeholder('after')}` })
      .from(ahead)
      .where(gt(ahead.id, sql.placeholder('afterId')))
      .orderBy(ahead.id)
      .limit(BOARDS_PER_PAGE)
      .prepare()
    this.tail = tailQueries(db)
  }

  async dateBackFuture(): Promise<number> {
    this.checkFile()
    let datedBack = 0
    for await (const id of boardsAhead((afterId, after) => this.boardsPage.all({ afterId, after }), this.clock(), this.toleranceMs)) {
      if (this.dateBackBoard(id, this.clock())) datedBack++
    }
    return datedBack
  }

  async append(boardId: string, entries: LogEntry[], audited: NewAuditRecord | null = null): Promise<number> {
    this.checkFile()
    return this.appendRows(boardId, entries, this.clock(), audited)
  }

  async load(boardId: string): Promise<StoredBoardState> {
    const { checkpoint, rows } = await readTailInPages(this.tail, boardId, { pageRows: this.pageRows })
    const lastSeq = rows.at(-1)?.seq ?? checkpoint?.throughSeq ?? 0
    // One writer at a time, each numbering its rows as it writes them: no lower number commits after a higher one.
    return { checkpoint: checkpoint ? stateBytes(checkpoint.state) : null, updates: rows.map((row) => row.update), rowSeqs: rows.map((row) => row.seq), lastSeq, completeThrough: lastSeq }
  }

  async writers(boardId: string): Promise<ClientWriter[]> {
    return this.clientWriters.read(boardId)
  }

  async loadSince(boardId: string, afterSeq: number): Promise<StoredSince> {
    return this.db.transaction((tx) => {
      const completeThrough = tx.select({ seq: max(boardUpdates.seq) }).from(boardUpdates).where(eq(boardUpdates.boardId, boardId)).get()?.seq ?? 0
      // As on PostgreSQL (pg-update-log.ts, rowsKeptAfter): thinning drops rows oldest first, never after the latest checkpoint.
      const through = tx.select({ seq: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1).get()?.seq ?? 0
      const keptUpTo = tx.select({ seq: boardUpdates.seq }).from(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, afterSeq))).limit(1).get()
      if (through <= afterSeq || keptUpTo !== undefined) {
        const rows = this.tail.rowsAfter.all({ boardId, after: afterSeq })
        return { checkpoint: null, updates: rows.map((row) => stateBytes(row.update)), completeThrough, whole: false }
      }
      const { checkpoint, rows } = this.tail.readTail(boardId)
      return { checkpoint: checkpoint ? stateBytes(checkpoint.state) : null, updates: rows.map((row) => row.update), completeThrough, whole: true }
    })
  }

  /**
   * The merge (seconds for a large board, in a worker thread) runs between the
   * read and the write; rows appended meanwhile have higher sequence numbers and
   * wait for the next compaction, as do those past `maxRows`. The write (sqlite-fold-write.ts) takes turns of the
   * event loop, and gives up if another compaction wrote first.
   */
  async compact(boardId: string, merge: MergeState, maxRows?: number): Promise<Compacted> {
    const { checkpoint, rows } = await readTailInPages(this.tail, boardId, { pageRows: this.pageRows, maxRows })
    if (rows.length === 0) return NOTHING_COMPACTED
    const folded = await merge(checkpoint ? new Uint8Array(checkpoint.state) : null, rows)
    return this.folds.write({ boardId, from: checkpoint ? { throughSeq: checkpoint.throughSeq, bytes: checkpoint.state.byteLength } : null, rows, folded })
  }

  async count(boardId: string): Promise<number> {
    const through = this.tail.latestCheckpoint.get({ boardId })?.throughSeq ?? 0
    const row = this.db.select({ n: count() }).from(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, through))).get()
    return row?.n ?? 0
  }

  async bytes(boardId: string): Promise<number> {
    // octet_length reads a blob's size from its record header, never the blob: a board's 32 MiB checkpoint costs nothing here.
    return this.db.transaction((tx) => {
      const checkpoint = tx
        .select({ throughSeq: boardCheckpoints.throughSeq, bytes: sql<number>`octet_length(${boardCheckpoints.state})` })
        .from(boardCheckpoints)
        .where(eq(boardCheckpoints.boardId, boardId))
        .orderBy(desc(boardCheckpoints.throughSeq))
        .limit(1)
        .get()
      const rows = tx
        .select({ bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
        .from(boardUpdates)
        .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, checkpoint?.throughSeq ?? 0)))
        .get()
      return (checkpoint?.bytes ?? 0) + (rows?.bytes ?? 0)
    })
  }
}

const HISTORY_TABLES = { updates: boardUpdates, checkpoints: boardCheckpoints, snapshots, changes: boardChanges, boards }
const SQLITE_HISTORY: HistoryDialect = { latest: 'max', earliest: 'min', boardRowLock: sql`` }

/**
 * `query`'s SQL prepared by the driver itself, its parameters bound by position
 * in the order `placeholders` names them, which is checked against the order
 * Drizzle wrote them in: a column added or moved fails here, at start, rather
 * than binding a value to the wrong column.
 */
function driverStatement(db: SqliteDb, query: { toSQL(): { sql: string; params: unknown[] } }, placeholders: readonly string[]): Statement {
  const { sql: text, params } = query.toSQL()
  const written = params.map(placeholderName)
  if (written.join() !== placeholders.join()) throw new Error(`the statement binds ${written.join(', ')}, not ${placeholders.join(', ')}: ${text}`)
  return db.$client.prepare(text)
}

/** The name of the placeholder a query parameter stands for (bare, or wrapped with its column's encoder). */
function placeholderName(param: unknown): string | null {
  const value = param instanceof Param ? param.value : param
  return value instanceof Placeholder ? value.name : null
}

/** The driver binds Buffers: a view of the same bytes, not a copy. */
const bufferView = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** A board's latest checkpoint, its log rows after a sequence number, and both read together: prepared once per database. */
export function tailQueries(db: SqliteDb) {
  const boardId = sql.placeholder('boardId')
  const latestCheckpoint = db.select().from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1).prepare()
  const rowsAfter = db
    .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, sql.placeholder('after'))))
    .orderBy(asc(boardUpdates.seq))
    .prepare()
  /** Up to `limit` rows after `after`, oldest first: a page of a tail read in turns (sqlite-tail-pages.ts). */
  const rowsPage = db
    .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, sql.placeholder('after'))))
    .orderBy(asc(boardUpdates.seq))
    .limit(sql.placeholder('limit'))
    .prepare()
  /** Where the latest checkpoint ends, without its state (megabytes on a large board). */
  const latestThrough = db.select({ throughSeq: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1).prepare()
  /**
   * A page of rows after `after`, or null once the latest checkpoint no longer ends at `through`: rows after the
   * latest checkpoint are never dropped, so while it stays the latest the pages read in turns are the rows a single
   * read would have given.
   */
  const readPage = db.$client.transaction((board: string, through: number, after: number, limit: number): LogRow[] | null => {
    if ((latestThrough.get({ boardId: board })?.throughSeq ?? 0) !== through) return null
    return rowsPage.all({ boardId: board, after, limit }).map((row) => ({ ...row, update: stateBytes(row.update) }))
  })
  /**
   * The latest checkpoint and every row after it, with their authors and
   * times, in one transaction so that both agree. better-sqlite3's own
   * transaction, made once: Drizzle's builds a transaction object on every
   * call, which cost more than reading a small board (every board's load).
   */
  const readTail = db.$client.transaction((board: string) => {
    const checkpoint = latestCheckpoint.get({ boardId: board })
    const rows: LogRow[] = rowsAfter.all({ boardId: board, after: checkpoint?.throughSeq ?? 0 }).map((row) => ({ ...row, update: stateBytes(row.update) }))
    return { checkpoint, rows }
  })
  return { latestCheckpoint, rowsAfter, readTail, readPage }
}

export type TailQueries = ReturnType<typeof tailQueries>
