/**
 * The time a board's new log rows are stored with, shared by the SQLite and
 * PostgreSQL log stores: the clock's, or the latest time the board's history
 * already holds (its newest row, checkpoint or snapshot, or its creation) when
 * the clock reads earlier. A past moment's read takes the rows up to that
 * moment in sequence order (HistoryStore.rowsUpTo), which is the board as it
 * was only while times never fall along the sequence: a clock stepped back (an
 * NTP step, a virtual machine restored, another instance's clock behind) would
 * otherwise date later edits before earlier ones, and a read of the past would
 * show them. While the clock is behind, the board's times stand still; no
 * later than its snapshots, so that a snapshot holds no edit dated after it and
 * an edit after it counts as a change (automatic snapshots go on).
 *
 * Carried so only within a tolerance (HISTORY_CLOCK_TOLERANCE_MS): history
 * further ahead of the clock cannot be right, for nothing happened in the
 * future. It was written while the clock was ahead (a step forward and back,
 * a bad time source), and carried it would hold every later edit at that time,
 * out of reach of every read of the past until the clock got there. So the
 * write that finds it first dates every time of the board later than the clock
 * back to the clock, in its own transaction: times stay in sequence order, no
 * time at or before the clock moves, and the new rows are dated the clock's.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { sql, type Column, type SQL, type SQLWrapper, type Table } from 'drizzle-orm'
import { isoTime } from '../iso-time.ts'

export type HistoryTables = {
  updates: Table & { boardId: Column; seq: Column; createdAt: Column }
  checkpoints: Table & { boardId: Column; throughSeq: Column; at: Column; createdAt: Column }
  snapshots: Table & { boardId: Column; createdAt: Column; asOf: Column }
  changes: Table & { boardId: Column; at: Column; firstAt: Column }
  boards: Table & { id: Column; createdAt: Column; lastChangeAt: Column }
}

/**
 * What differs between the dialects: the functions that pick the greatest and
 * least of their arguments (SQLite's `max` and `min`, PostgreSQL's `greatest`
 * and `least`; times are ISO 8601 UTC text of one format, so they compare as
 * text), and how the board's row is taken to be dated back (FOR NO KEY UPDATE
 * SKIP LOCKED on PostgreSQL, where a turn holding it waits for the times lock
 * this write holds: dated back by a later write instead, as the board's
 * creation counts among its times).
 */
export type HistoryDialect = { latest: 'max' | 'greatest'; earliest: 'min' | 'least'; boardRowLock: SQL }

/** The board's newest stored time ('' when it has none); each look-up reads one index entry. */
export function newestHistoryTime(tables: HistoryTables, boardId: SQLWrapper, dialect: HistoryDialect): SQL {
  const { updates, checkpoints, snapshots, boards } = tables
  const newest = (column: Column, table: Table, board: Column, order: Column) =>
    sql`coalesce((select ${column} from ${table} where ${board} = ${boardId} order by ${order} desc limit 1), '')`
  return sql`${sql.raw(dialect.latest)}(${newest(updates.createdAt, updates, updates.boardId, updates.seq)}, ${newest(checkpoints.at, checkpoints, checkpoints.boardId, checkpoints.throughSeq)}, ${newest(snapshots.createdAt, snapshots, snapshots.boardId, snapshots.createdAt)}, ${newest(boards.createdAt, boards, boards.id, boards.id)})`
}

/** The new rows' time, and whether the board's history is first dated back to `now` (`newest` as newestHistoryTime reads it). */
export function historyStamp(now: Date, newest: string, toleranceMs: number): { at: string; datedBack: boolean } {
  const clock = isoTime(now)
  if (newest !== '' && Date.parse(newest) > now.getTime() + toleranceMs) return { at: clock, datedBack: true }
  return { at: newest > clock ? newest : clock, datedBack: false }
}

/**
 * The statements that date every time of the board later than `now` back to
 * it. The rows: only those after the newest dated no later than `now`, found
 * from the newest down (the board's times follow its sequence), so a board of
 * many rows is not read whole.
 */
export function datingBack(tables: HistoryTables, boardId: string, now: string, dialect: HistoryDialect): SQL[] {
  const { updates, checkpoints, snapshots, changes, boards } = tables
  const name = (column: Column) => sql.identifier(column.name)
  const earliest = (column: Column) => sql`${sql.raw(dialect.earliest)}(${name(column)}, ${now})`
  const lastInTime = sql`coalesce((select ${updates.seq} from ${updates} where ${updates.boardId} = ${boardId} and ${updates.createdAt} <= ${now} order by ${updates.seq} desc limit 1), 0)`
  return [
    sql`update ${updates} set ${name(updates.createdAt)} = ${now} where ${updates.boardId} = ${boardId} and ${updates.seq} > ${lastInTime} and ${updates.createdAt} > ${now}`,
    sql`update ${checkpoints} set ${name(checkpoints.at)} = ${earliest(checkpoints.at)}, ${name(checkpoints.createdAt)} = ${earliest(checkpoints.createdAt)} where ${checkpoints.boardId} = ${boardId} and (${checkpoints.at} > ${now} or ${checkpoints.createdAt} > ${now})`,
    // The moment a snapshot's content is of is no later than when it was made, and dated back with it. Not by `earliest`:
    // PostgreSQL's least() passes over a null, which says the snapshot was of the live board.
    sql`update ${snapshots} set ${name(snapshots.createdAt)} = ${now}, ${name(snapshots.asOf)} = case when ${snapshots.asOf} > ${now} then ${now} else ${snapshots.asOf} end where ${snapshots.boardId} = ${boardId} and ${snapshots.createdAt} > ${now}`,
    sql`update ${changes} set ${name(changes.at)} = ${now}, ${name(changes.firstAt)} = ${earliest(changes.firstAt)} where ${changes.boardId} = ${boardId} and ${changes.at} > ${now}`,
    sql`update ${boards} set ${name(boards.createdAt)} = ${earliest(boards.createdAt)}, ${name(boards.lastChangeAt)} = ${earliest(boards.lastChangeAt)} where ${boards.id} in (select ${boards.id} from ${boards} where ${boards.id} = ${boardId} and (${boards.createdAt} > ${now} or ${boards.lastChangeAt} > ${now}) ${dialect.boardRowLock})`,
  ]
}

/** Boards a page of the pass that dates back history ahead of the clock reads: some 10 ms of one SQLite statement (BENCHMARKS.md). */
export const BOARDS_PER_PAGE = 1_000

/** A page of boards after `afterId` in id order, each with whether its newest time is after `after` (newestHistoryTime): 0 or 1 on SQLite. */
type PagedBoard = { id: string; ahead: boolean | number }
export type BoardsPage = (afterId: string, after: string) => Promise<PagedBoard[]> | PagedBoard[]

/**
 * The boards whose history is further ahead of `now` than the tolerance, read
 * a page of boards at a time, in id order, with a turn of the event loop
 * between pages: on SQLite each page's statement holds the thread the relay
 * runs on, and the pass runs again every hour on a server that serves.
 */
export async function* boardsAhead(page: BoardsPage, now: Date, toleranceMs: number): AsyncGenerator<string> {
  const after = new Date(now.getTime() + toleranceMs).toISOString()
  let afterId = ''
  for (;;) {
    const boards = await page(afterId, after)
    for (const board of boards) if (board.ahead === true || board.ahead === 1) yield board.id
    if (boards.length < BOARDS_PER_PAGE) return
    afterId = boards.at(-1)!.id
    await nextTurn()
  }
}
