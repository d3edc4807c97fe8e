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
