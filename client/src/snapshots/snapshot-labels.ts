/** How a snapshot is named on screen: its kind in words and the one-line description used in lists. */
import { contentTime, type SnapshotKind, type SnapshotSummary, type VersionRef } from '../../../shared/snapshot-model.ts'
import { dateTimeGroup, shortHash } from '../../../shared/date-time-group.ts'

export const SNAPSHOT_KIND_LABELS: Record<SnapshotKind, string> = {
  named: 'named',
  auto: 'automatic',
  restore: 'restore point',
}

/** When a snapshot is of, and when it was made: "281530Z NOV 26", or "as of 281400Z NOV 26, made 281530Z NOV 26 by Bo" for one of a past moment. */
export function snapshotTimes(snapshot: { createdAt: string; asOf: string | null; authorName: string }): string {
  return snapshot.asOf === null
    ? dateTimeGroup(snapshot.createdAt)
    : `as of ${dateTimeGroup(snapshot.asOf)}, made ${dateTimeGroup(snapshot.createdAt)} by ${snapshot.authorName}`
}

/** "named · Ana Petrova · 281530Z NOV 26 · 1a2b3c4d" */
export function snapshotLine(snapshot: SnapshotSummary): string {
  return [SNAPSHOT_KIND_LABELS[snapshot.kind], snapshot.authorName, snapshotTimes(snapshot), shortHash(snapshot.contentHash)].join(' · ')
}

/** A side of a comparison in words: “Draft” (281530Z NOV 26), or the live board; a snapshot of a past moment by that moment. */
export function versionName(ref: VersionRef): string {
  return ref.kind === 'live' ? 'the live board' : `“${ref.label}” (${ref.asOf === null ? dateTimeGroup(ref.createdAt) : `as of ${dateTimeGroup(contentTime(ref))}`})`
}
