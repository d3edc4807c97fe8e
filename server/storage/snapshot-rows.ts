/** What the SQLite and PostgreSQL snapshot stores share: reading a row and a state, the guard, the time rule, their order. */
import { asc, desc, sql, type Column, type SQL, type Table } from 'drizzle-orm'
import { SNAPSHOT_KINDS, type SnapshotKind } from '../../shared/snapshot-model.ts'
import type { Dialect, SnapshotGuard, SnapshotRecord } from './storage.ts'

export type SnapshotRow = Omit<SnapshotRecord, 'kind'> & { kind: string }

export function snapshotRecord(row: SnapshotRow): SnapshotRecord {
  if (!(SNAPSHOT_KINDS as readonly string[]).includes(row.kind)) throw new Error(`snapshot ${row.id} has unknown kind ${row.kind}`)
  return {
    id: row.id,
    boardId: row.boardId,
    label: row.label,
    kind: row.kind as SnapshotKind,
    contentHash: row.contentHash,
    authorId: row.authorId,
    authorName: row.authorName,
    createdAt: row.createdAt,
    previousId: row.previousId,
    asOf: row.asOf,
  }
}

export function skippedByGuard(latest: SnapshotRow | undefined, contentHash: string, guard: SnapshotGuard): boolean {
  if (!latest) return false
  if (guard.unlessUnchanged && latest.contentHash === contentHash) return true
  const recent = guard.unlessRecent
  return recent !== undefined && latest.createdAt > recent.since && latest.createdAt <= recent.now
}

/**
 * Now, or a millisecond after the previous snapshot if the clock has not moved
 * past it: a board's snapshots are then strictly ordered by time alone. Never
 * before the board's newest log row (`newestEdit`): a clock stepped back would
 * otherwise date a snapshot before edits it holds (history-time.ts).
 */
export function nextSnapshotTime(previous: string | undefined, now: number, newestEdit: string | undefined): string {
  const after = previous === undefined ? now : Math.max(now, Date.parse(previous) + 1)
  return new Date(newestEdit === undefined ? after : Math.max(after, Date.parse(newestEdit))).toISOString()
}

/**
 * A capture of the live board was overtaken in the very millisecond of the
 * newest row it holds: rows stored after it bear that row's time, so the board
 * as of no time is what it holds. Captured again, it holds them.
 */
export class SnapshotContentMoved extends Error {
  constructor(boardId: string) {
    super(`board ${boardId} changed in the millisecond its snapshot was captured of`)
  }
}

/**
 * The moment a capture of the live board holds the board of (NewSnapshot's
 * `heldThroughSeq`), given the time of the newest row it holds (`held`) and of
 * the first stored after it (`next`): null, the snapshot's own time, when none
 * is (the snapshot is dated no earlier than the board's newest row); else the
 * held row's, which a read of the past takes it up to and no further. Row
 * times never fall along the sequence (history-time.ts).
 */
export function capturedContentTime(boardId: string, held: string, next: string | undefined): string | null {
  if (next === undefined) return null
  if (next > held) return held
  throw new SnapshotContentMoved(boardId)
}

type CaptureTables = {
  updates: Table & { boardId: Column; seq: Column; createdAt: Column }
  checkpoints: Table & { boardId: Column; throughSeq: Column; at: Column }
  boards: Table & { id: Column; createdAt: Column }
}

/**
 * What capturedContentTime is given, selected from the board's row: `held`,
 * the time of the newest row at or before `seq` (of the checkpoint folding it
 * once it is thinned away, or of the board's creation when it has none), and
 * `next`, the time of the first row after it (null when there is none). Each
 * reads one index entry.
 */
export function captureTimes({ updates, checkpoints, boards }: CaptureTables, boardId: string, seq: number) {
  const rowTime = (where: SQL, order: SQL) => sql`(select ${updates.createdAt} from ${updates} where ${updates.boardId} = ${boardId} and ${where} order by ${order} limit 1)`
  const checkpointTime = sql`(select ${checkpoints.at} from ${checkpoints} where ${checkpoints.boardId} = ${boardId} and ${checkpoints.throughSeq} <= ${seq} order by ${checkpoints.throughSeq} desc limit 1)`
  return {
    held: sql<string>`coalesce(${rowTime(sql`${updates.seq} <= ${seq}`, sql`${updates.seq} desc`)}, ${checkpointTime}, ${boards.createdAt})`,
    next: sql<string | null>`${rowTime(sql`${updates.seq} > ${seq}`, sql`${updates.seq} asc`)}`,
  }
}

type SnapshotTable = Table & { id: Column; boardId: Column; createdAt: Column; seq: Column }

/**
 * A board's snapshots oldest first: by time, among one time the first made
 * first. Snapshots dated back together (history-time.ts) share the clock's
 * time; ordered by time alone, which of them was the latest (what the next
 * snapshot follows and is compared with, what a read of that moment and a
 * listing show first) was whichever the database read first, not the same on
 * SQLite and PostgreSQL. A null `seq` (stored before it, or by an instance not
 * yet upgraded) counts as 0, ahead of every numbered one: coalesced, not left
 * to each database's place for nulls (PostgreSQL puts them first in a
 * descending order, SQLite last). The id, in bytes on both, orders what is
 * still tied: snapshots an instance not yet upgraded made that were then dated
 * back together.
 */
function oldestFirst(table: SnapshotTable, dialect: Dialect): SQL[] {
  return [sql`${table.createdAt}`, sql`coalesce(${table.seq}, 0)`, dialect === 'postgres' ? sql`${table.id} collate "C"` : sql`${table.id}`]
}

export function snapshotsOldestFirst(table: SnapshotTable, dialect: Dialect): SQL[] {
  return oldestFirst(table, dialect).map((key) => asc(key))
}

export function newestSnapshotsFirst(table: SnapshotTable, dialect: Dialect): SQL[] {
  return oldestFirst(table, dialect).map((key) => desc(key))
}

/** The number the board's next snapshot is stored with, one past its highest: worked out in the insert, which the board's snapshots are made one at a time around. */
export function nextSnapshotSeq(table: SnapshotTable, boardId: string): SQL {
  return sql`(select coalesce(max(${table.seq}), 0) + 1 from ${table} where ${table.boardId} = ${boardId})`
}
