import { and, asc, count, desc, eq, gt, inArray, lt, lte, sql, sum, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { boardChanges, boardCheckpoints, boards, boardUpdates, snapshots } from '../../drizzle/pg/schema.ts'
import type { Clock } from '../clock.ts'
import { keepSuperseded } from '../history/earned-copies.ts'
import { changeBatches, changeValueBytes, NOTHING_COMPACTED, recordedByAuthor } from './change-batches.ts'
import type { FutureHistory } from './future-history.ts'
import { BOARDS_PER_PAGE, boardsAhead, datingBack, historyStamp, newestHistoryTime, type HistoryDialect } from './history-time.ts'
import { lastRowTime } from './log-rows.ts'
import { insertAudited } from './pg-audited.ts'
import { readWriters, storeFirstWrites } from './pg-client-writers.ts'
import type { PgDb, PgTx } from './pg-db.ts'
import { BoardRowGone, TurnLost } from './storage-errors.ts'
import type { AuditedEntries, ClientWriter, Compacted, LogEntry, LogRow, MergeState, NewAuditRecord, StoredBoardState, StoredSince, TurnHolder, UpdateLogStore } from './storage.ts'

type Reader = Pick<PgDb, 'select'>

export class PgUpdateLogStore implements UpdateLogStore {
  constructor(
    private readonly db: PgDb,
    private readonly clock: Clock,
    private readonly future: FutureHistory,
  ) {}

  async append(boardId: string, entries: LogEntry[], audited: NewAuditRecord | null = null): Promise<number> {
    return this.db.transaction(async (tx) => {
      await holdForAppend(tx, boardId, 'for key share', true)
      return this.insert(tx, boardId, { entries, audited })
    })
  }

  /**
   * The fence of a board's turn (pg-board-turns.ts). This transaction holds
   * the board's row (FOR NO KEY UPDATE, which keystrokes' appends, FOR KEY
   * SHARE, pass) and only then asks whether the turn's session still holds the
   * turn's advisory lock; a turn, once it holds that lock, waits for the same
   * row (FOR SHARE) before it reads the board. Either the check finds the lock
   * held, and no other session can take the turn until after the check, so the
   * next turn's wait for the row, later still, ends only once this commit has
   * (and its read then sees the change); or the lock is gone, another turn may
   * have read the board, and nothing is stored. So no change lands whose turn
   * was lost before it was committed.
   */
  async appendInTurn(boardId: string, turn: TurnHolder, take: () => Promise<AuditedEntries>): Promise<number> {
    return this.db.transaction(async (tx) => {
      await holdForAppend(tx, boardId, 'for no key update', false)
      const [fence] = await tx.execute<{ held: boolean }>(sql`select ${turnHeld(turn)} as held`)
      if (!fence?.held) throw new TurnLost(boardId)
      const change = await take()
      // Only now: other instances' keystrokes on the board wait for its times while the change is worked out, not before.
      await tx.execute(sql`select pg_advisory_xact_lock(${boardTimesKey(boardId)})`)
      return this.insert(tx, boardId, change)
    })
  }

  /** The rows and the audit entry; the last row's sequence number, 0 when there is none. */
  private async insert(tx: PgTx, boardId: string, { entries, audited }: AuditedEntries): Promise<number> {
    if (audited) await insertAudited(tx, audited)
    const unstored = await notStoredBefore(tx, entries)
    if (unstored.length === 0) return 0
    // The time in a statement of its own: worked out in each row of the insert, it cost 7 parameters a row, and an
    // import's thousands of rows went past PostgreSQL's 65,535.
    const stamp = await this.stamped(tx, boardId)
    // Undefined, not null, on the rows after a batch's first: Drizzle writes DEFAULT for it rather than a parameter.
    const rows = unstored.map((entry) => ({ boardId, update: Buffer.from(entry.update), origin: entry.origin, createdAt: stamp.at, batchId: entry.batch?.id }))
    const inserted = await tx.insert(boardUpdates).values(rows).returning({ seq: boardUpdates.seq })
    // Rare, about once per page load that writes; an entry stored before stored its writers then. RETURNING gives the rows in the order of VALUES.
    for (const [at, entry] of unstored.entries()) {
      for (const firstWrites of entry.firstWrites ?? []) await storeFirstWrites(tx, boardId, inserted[at]!.seq, entries.indexOf(entry), firstWrites)
    }
    // A loop, not Math.max(...seqs): spreading some 120,000 arguments overflows the stack.
    return inserted.reduce((last, row) => Math.max(last, row.seq), 0)
  }

  /**
   * The time the board's rows are stored with now, its history dated back first when it is too far ahead of the clock.
   * Under the board's times lock, taken in an earlier statement: this one's snapshot of the database holds every row
   * committed by the appends that held it before (history-time.ts).
   */
  private async stamped(tx: PgTx, boardId: string): Promise<{ at: string; datedBack: boolean }> {
    const now = this.clock()
    const [newest] = await tx.execute<{ at: string }>(sql`select ${newestHistoryTime(HISTORY_TABLES, sql`${boardId}`, PG_HISTORY)} as at`)
    const stamp = historyStamp(now, newest!.at, this.future.toleranceMs)
    if (stamp.datedBack) {
      for (const statement of datingBack(HISTORY_TABLES, boardId, stamp.at, PG_HISTORY)) await tx.execute(statement)
      this.future.datedBack(boardId, newest!.at, stamp.at)
    }
    return stamp
  }

  async dateBackFuture(): Promise<number> {
    const ahead = alias(boards, 'ahead')
    const page = (afterId: string, after: string) =>
      this.db
        .select({ id: ahead.id, ahead: sql<boolean>`${newestHistoryTime(HISTORY_TABLES, ahead.id, PG_HISTORY)} > ${after}` })
        .from(ahead)
        .where(gt(ahead.id, afterId))
        .orderBy(ahead.id)
        .limit(BOARDS_PER_PAGE)
    let datedBack = 0
    for await (const id of boardsAhead(page, this.clock(), this.future.toleranceMs)) {
      // As an append holds the board (holdForAppend): several instances starting together date each board back once,
      // the later finding it dated back; an edit's rows or a compaction's checkpoint come wholly before or after.
      const dated = await this.db.transaction(async (tx) => (await boardHeldForAppend(tx, id, 'for key share', true)) && (await this.stamped(tx, id)).datedBack)
      if (dated) datedBack++
    }
    return datedBack
  }

  async load(boardId: string): Promise<StoredBoardState> {
    const committed = await committedThrough(this.db, boardId)
    // One snapshot of the database, so a compaction in between cannot hide rows.
    const { checkpoint, rows } = await this.db.transaction((tx) => readTail(tx, boardId), { isolationLevel: 'repeatable read' })
    return {
      checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null,
      updates: rows.map((row) => row.update),
      rowSeqs: rows.map((row) => row.seq),
      lastSeq: rows.at(-1)?.seq ?? checkpoint?.throughSeq ?? 0,
      // An append in flight: the checkpoint's rows, all committed before it was written, are what is known to be complete.
      completeThrough: committed ?? checkpoint?.throughSeq ?? 0,
    }
  }

  writers(boardId: string): Promise<ClientWriter[]> {
    return readWriters(this.db, boardId)
  }

  async loadSince(boardId: string, afterSeq: number): Promise<StoredSince> {
    // An append in flight: no more is known complete than the room held before.
    const completeThrough = (await committedThrough(this.db, boardId)) ?? afterSeq
    return this.db.transaction(
      async (tx) => {
        if (await rowsAfterRead(tx, boardId, afterSeq)) return { checkpoint: null, updates: (await rowsAfter(tx, boardId, afterSeq)).map((row) => row.update), completeThrough, whole: false }
        const { checkpoint, rows } = await readTail(tx, boardId)
        return { checkpoint: checkpoint ? new Uint8Array(checkpoint.state) : null, updates: rows.map((row) => row.update), completeThrough, whole: true }
      },
      { isolationLevel: 'repeatable read' },
    )
  }

  /**
   * Reads under the board's lock taken exclusively, so no append is in flight:
   * every row up to the last one read is committed and any later one gets a
   * higher number. The merge (seconds for a large board, in a worker thread)
   * runs with no lock held, so appends go on meanwhile. The write takes the
   * lock again and gives up if another instance compacted the board in between.
   */
  async compact(boardId: string, merge: MergeState, maxRows?: number): Promise<Compacted> {
    const { checkpoint, rows } = await this.db.transaction(async (tx) => {
      await lockExclusively(tx, boardId)
      return readTail(tx, boardId, maxRows)
    })
    if (rows.length === 0) return NOTHING_COMPACTED
    const through = checkpoint?.throughSeq ?? 0
    const folded = await merge(checkpoint ? new Uint8Array(checkpoint.state) : null, rows)
    return this.db.transaction(async (tx) => {
      await lockExclusively(tx, boardId)
      const [board] = await tx.execute<{ held: boolean }>(sql`select ${boardRowHeld(boardId)} as held`)
      if (!board?.held || ((await latestCheckpoint(tx, boardId))?.throughSeq ?? 0) !== through) return NOTHING_COMPACTED
      await tx
        .insert(boardCheckpoints)
        .values({ boardId, state: Buffer.from(folded.state), throughSeq: rows.at(-1)!.seq, at: lastRowTime(rows), createdAt: this.clock().toISOString() })
      let changeBytes = 0
      for (const batch of changeBatches(folded.changes)) {
        await tx.insert(boardChanges).values(batch.map((change) => ({ boardId, ...change })))
        changeBytes += batch.reduce((sum, change) => sum + changeValueBytes(change), 0)
      }
      if (checkpoint) await dropUnearned(tx, boardId, { throughSeq: through, bytes: checkpoint.state.byteLength })
      return { mergedRows: rows.length, checkpointBytes: folded.state.byteLength, changeBytes, recordedByAuthor: recordedByAuthor(folded.changes) }
    })
  }

  async count(boardId: string): Promise<number> {
    const through = (await latestCheckpoint(this.db, boardId))?.throughSeq ?? 0
    const [row] = await this.db.select({ n: count() }).from(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, through)))
    return row?.n ?? 0
  }

  async bytes(boardId: string): Promise<number> {
    // One snapshot of the database, so a compaction in between cannot count rows twice or not at all.
    return this.db.transaction(
      async (tx) => {
        const checkpoint = await latestCheckpointSize(tx, boardId)
        return (checkpoint?.bytes ?? 0) + (await rowBytes(tx, boardId, gt(boardUpdates.seq, checkpoint?.throughSeq ?? 0)))
      },
      { isolationLevel: 'repeatable read' },
    )
  }
}

const HISTORY_TABLES = { updates: boardUpdates, checkpoints: boardCheckpoints, snapshots, changes: boardChanges, boards }
const PG_HISTORY: HistoryDialect = { latest: 'greatest', earliest: 'least', boardRowLock: sql`for no key update skip locked` }

/**
 * Sequence numbers are handed out before commit, so two instances can commit out of order. Appends share this lock
 * and compaction takes it exclusively: it never checkpoints past a row that is still on its way in. In the same round
 * trip, the board's row is held (BoardRowGone when it is not there), and with `times` the board's times lock
 * (boardTimesKey).
 */
async function holdForAppend(tx: PgTx, boardId: string, rowLock: 'for key share' | 'for no key update', times: boolean): Promise<void> {
  if (!(await boardHeldForAppend(tx, boardId, rowLock, times))) throw new BoardRowGone(boardId)
}

/** holdForAppend's locks; false once the board's row is gone. */
async function boardHeldForAppend(tx: PgTx, boardId: string, rowLock: 'for key share' | 'for no key update', times: boolean): Promise<boolean> {
  const timesLock = times ? sql`, pg_advisory_xact_lock(${boardTimesKey(boardId)})` : sql``
  const [locked] = await tx.execute<{ held: boolean }>(sql`select pg_advisory_xact_lock_shared(${boardLockKey(boardId)})${timesLock}, ${boardRowHeld(boardId, rowLock)} as held`)
  return locked?.held === true
}

/**
 * `entries` but those of the tried batches (BatchMark) that an earlier try
 * stored, its COMMIT's answer lost. Read under the board's times lock, which
 * that try held until it ended: still in flight when its answer was lost, it
 * has committed or rolled back by now (and the unique index on the id would
 * refuse a second store all the same). A fresh batch is not looked for: the
 * relay's hot path pays nothing more than the id on its first row.
 */
async function notStoredBefore(tx: PgTx, entries: LogEntry[]): Promise<LogEntry[]> {
  const tried = entries.flatMap((entry) => (entry.batch?.tried ? [entry.batch.id] : []))
  if (tried.length === 0) return entries
  const stored = await tx.select({ id: boardUpdates.batchId }).from(boardUpdates).where(inArray(boardUpdates.batchId, tried))
  const storedIds = new Set(stored.map((row) => row.id))
  let inStoredBatch = false
  return entries.filter((entry) => {
    if (entry.batch) inStoredBatch = storedIds.has(entry.batch.id)
    return !inStoredBatch
  })
}

/**
 * Held by one append of the board at a time, from before its rows are numbered and timed until it ends: each
 * append, wherever it runs, then dates its rows no earlier than those of the appends before it, which are
 * committed, and numbers them after theirs (history-time.ts). Only the insert and commit wait for it.
 */
export function boardTimesKey(boardId: string) {
  return sql`hashtext(${'assay-board-times:' + boardId})`
}

/** Whether the turn's session, that very backend, still holds the turn's advisory lock (a bigint key: its high and low 32 bits). */
function turnHeld(turn: TurnHolder) {
  return sql`exists(select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 1 and l.pid = ${turn.pid} and a.backend_start = ${turn.backendStart}::timestamptz
      and l.database = (select oid from pg_database where datname = current_database())
      and l.classid::bigint = (${turn.lockKey}::bigint >> 32) & 4294967295 and l.objid::bigint = ${turn.lockKey}::bigint & 4294967295)`
}

function boardLockKey(boardId: string) {
  return sql`hashtext(${'assay-board-log:' + boardId})`
}

/**
 * Whether the board's row is there, holding it (FOR KEY SHARE; a change made
 * in a turn FOR NO KEY UPDATE, appendInTurn) until the transaction ends: its deletion, which takes the row first, then waits for
 * this write and removes what it stored with the rest; a write after the
 * deletion finds no row. It is the check a foreign key would make: the log's
 * tables have none to the board (storage-errors.ts, BoardRowGone).
 */
function boardRowHeld(boardId: string, rowLock: 'for key share' | 'for no key update' = 'for key share') {
  return sql`exists(select 1 from ${boards} where ${boards.id} = ${boardId} ${sql.raw(rowLock)})`
}

/**
 * A sequence number every row of the board up to which is committed once this
 * resolves, so that a read started after it sees them all: the highest the
 * board has, read in a statement that also takes the board's lock
 * exclusively. Every append holds that lock shared from before its rows are
 * numbered until it ends, so with the lock taken, each row numbered before the
 * statement began (the highest it read included) is committed or gone. Only
 * tried, never waited for: null while an append holds it. A load never waits
 * behind an append (an import's runs for as long as it writes), and a lower
 * number is never wrong, only a longer catch-up.
 */
async function committedThrough(db: PgDb, boardId: string): Promise<number | null> {
  const [row] = await db.execute<{ locked: boolean; through: string | null }>(
    sql`select pg_try_advisory_xact_lock(${boardLockKey(boardId)}) as locked, (select max(${boardUpdates.seq}) from ${boardUpdates} where ${boardUpdates.boardId} = ${boardId}) as through`,
  )
  return row?.locked ? Number(row.through ?? 0) : null
}

/**
 * Whether a catch-up from `afterSeq` reads the rows after it rather than the
 * stored state (the latest checkpoint and the rows after it). The rows only
 * when every one of them is still kept, and those the latest checkpoint
 * folds weigh less than it does: a room that held a board for long would
 * otherwise read however much was written since, where the stored state is
 * bounded by the board's size. Thinning drops a board's rows oldest first, up
 * to a sequence number (HistoryStore.thin), and never those after its latest
 * checkpoint: so when the latest checkpoint is not past `afterSeq`, or a row
 * up to `afterSeq` is still there, none after it went.
 */
async function rowsAfterRead(db: Reader, boardId: string, afterSeq: number): Promise<boolean> {
  const checkpoint = await latestCheckpointSize(db, boardId)
  if (!checkpoint || checkpoint.throughSeq <= afterSeq) return true
  const [kept] = await db.select({ seq: boardUpdates.seq }).from(boardUpdates).where(and(eq(boardUpdates.boardId, boardId), lte(boardUpdates.seq, afterSeq))).limit(1)
  if (kept === undefined) return false
  return (await rowBytes(db, boardId, and(gt(boardUpdates.seq, afterSeq), lte(boardUpdates.seq, checkpoint.throughSeq)))) < checkpoint.bytes
}

/** The latest checkpoint's number and size, not its state: megabytes on a large board. */
async function latestCheckpointSize(db: Reader, boardId: string) {
  const [checkpoint] = await db
    .select({ throughSeq: boardCheckpoints.throughSeq, bytes: sql<number>`octet_length(${boardCheckpoints.state})`.mapWith(Number) })
    .from(boardCheckpoints)
    .where(eq(boardCheckpoints.boardId, boardId))
    .orderBy(desc(boardCheckpoints.throughSeq))
    .limit(1)
  return checkpoint
}

/** The bytes of the board's rows `which` picks. */
async function rowBytes(db: Reader, boardId: string, which: SQL | undefined): Promise<number> {
  const [rows] = await db
    .select({ bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), which))
  return rows?.bytes ?? 0
}

/**
 * Drops the checkpoint a compaction just superseded unless it is kept as
 * history (earned-copies.ts): what it held is the kept checkpoint before it
 * and the rows between, which stay.
 */
async function dropUnearned(tx: PgTx, boardId: string, superseded: { throughSeq: number; bytes: number }): Promise<void> {
  const [before] = await tx
    .select({ through: boardCheckpoints.throughSeq })
    .from(boardCheckpoints)
    .where(and(eq(boardCheckpoints.boardId, boardId), lt(boardCheckpoints.throughSeq, superseded.throughSeq)))
    .orderBy(desc(boardCheckpoints.throughSeq))
    .limit(1)
  const [since] = await tx
    .select({ rows: count(), bytes: sum(sql`octet_length(${boardUpdates.update})`).mapWith(Number) })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, before?.through ?? 0), lte(boardUpdates.seq, superseded.throughSeq)))
  if (keepSuperseded(superseded.bytes, { rows: since?.rows ?? 0, bytes: since?.bytes ?? 0 })) return
  await tx.delete(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, superseded.throughSeq)))
}

/**
 * Whether the board's checkpoint through `seq` is still kept, the board's
 * lock taken shared until the transaction ends: a compaction, which holds it
 * exclusively while it deletes the checkpoint it supersedes (dropUnearned),
 * has committed, or waits for this transaction to.
 */
export async function checkpointKeptThrough(tx: PgTx, boardId: string, seq: number): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${boardLockKey(boardId)})`)
  // A statement of its own: one begun before the lock was granted would read as of then, before the compaction's commit.
  const [kept] = await tx.select({ seq: boardCheckpoints.throughSeq }).from(boardCheckpoints).where(and(eq(boardCheckpoints.boardId, boardId), eq(boardCheckpoints.throughSeq, seq)))
  return kept !== undefined
}

/** The board's lock, exclusively until the transaction ends: no append, row drop or compaction of the board meanwhile. */
export async function lockExclusively(tx: PgTx, boardId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${boardLockKey(boardId)})`)
}

export async function latestCheckpoint(db: Reader, boardId: string) {
  const [row] = await db.select().from(boardCheckpoints).where(eq(boardCheckpoints.boardId, boardId)).orderBy(desc(boardCheckpoints.throughSeq)).limit(1)
  return row
}

/** The latest checkpoint and the rows after it, with their authors and times: all of them, or the oldest `maxRows` (a compaction's slice). */
export async function readTail(db: Reader, boardId: string, maxRows?: number) {
  const checkpoint = await latestCheckpoint(db, boardId)
  return { checkpoint, rows: await rowsAfter(db, boardId, checkpoint?.throughSeq ?? 0, maxRows) }
}

async function rowsAfter(db: Reader, boardId: string, afterSeq: number, maxRows?: number): Promise<LogRow[]> {
  const query = db
    .select({ seq: boardUpdates.seq, update: boardUpdates.update, origin: boardUpdates.origin, at: boardUpdates.createdAt })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.boardId, boardId), gt(boardUpdates.seq, afterSeq)))
    .orderBy(asc(boardUpdates.seq))
  const stored = await (maxRows === undefined ? query : query.limit(maxRows))
  return stored.map((row) => ({ ...row, update: new Uint8Array(row.update) }))
}
