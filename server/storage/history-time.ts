/**
 * The time a board's new log rows are stored with, shared by the SQLite and
 * PostgreSQL log stores: the clock's, or the latest time the board's history
 * already holds (its newest row, checkpoint or snapshot) when the clock reads
 * earlier. A past moment's read takes the rows up to that moment in sequence
 * order (HistoryStore.rowsUpTo), which is the board as it was only while times
 * never fall along the sequence: a clock stepped back (an NTP step, a virtual
 * machine restored, another instance's clock behind) would otherwise date
 * later edits before earlier ones, and a read of the past would show them.
 * While the clock is behind, the board's times stand still; no later than its
 * snapshots, so that a snapshot holds no edit dated after it and an edit after
 * it counts as a change (automatic snapshots go on).
 */
import { sql, type Column, type SQL, type SQLWrapper, type Table } from 'drizzle-orm'

type HistoryTables = {
  updates: Table & { boardId: Column; seq: Column; createdAt: Column }
  checkpoints: Table & { boardId: Column; throughSeq: Column; at: Column }
  snapshots: Table & { boardId: Column; createdAt: Column }
}

/**
 * `now`, or the board's latest stored time if later: `latest` names the
 * dialect's function that picks the greatest of its arguments (SQLite's
 * `max`, PostgreSQL's `greatest`; times are ISO 8601 UTC text of one format,
 * so they compare as text). Each look-up reads one index entry.
 */
export function notBeforeHistory(tables: HistoryTables, boardId: SQLWrapper, now: SQLWrapper, latest: 'max' | 'greatest'): SQL {
  const { updates, checkpoints, snapshots } = tables
  const newest = (column: Column, table: Table, board: Column, order: Column) =>
    sql`coalesce((select ${column} from ${table} where ${board} = ${boardId} order by ${order} desc limit 1), '')`
  return sql`${sql.raw(latest)}(${now}, ${newest(updates.createdAt, updates, updates.boardId, updates.seq)}, ${newest(checkpoints.at, checkpoints, checkpoints.boardId, checkpoints.throughSeq)}, ${newest(snapshots.createdAt, snapshots, snapshots.boardId, snapshots.createdAt)})`
}
