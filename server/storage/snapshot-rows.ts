/** What the SQLite and PostgreSQL snapshot stores share: reading a row and a state, the guard, the time rule. */
import { SNAPSHOT_KINDS, type SnapshotKind } from '../../shared/snapshot-model.ts'
import type { SnapshotGuard, SnapshotRecord } from './storage.ts'

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
