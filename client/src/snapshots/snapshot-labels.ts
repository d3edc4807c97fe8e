/** How a snapshot is named on screen: its kind in words and the one-line description used in lists. */
import type { SnapshotKind, SnapshotSummary, VersionRef } from '../../../shared/snapshot-model.ts'
import { dateTimeGroup, shortHash } from '../../../shared/date-time-group.ts'

export const SNAPSHOT_KIND_LABELS: Record<SnapshotKind, string> = {
  named: 'named',
  auto: 'automatic',
  restore: 'restore point',
}

/** "named · Ana Petrova · 281530Z NOV 26 · 1a2b3c4d" */
export function snapshotLine(snapshot: SnapshotSummary): string {
  return [SNAPSHOT_KIND_LABELS[snapshot.kind], snapshot.authorName, dateTimeGroup(snapshot.createdAt), shortHash(snapshot.contentHash)].join(' · ')
}

/** A side of a comparison in words: “Draft” (281530Z NOV 26), or the live board. */
export function versionName(ref: VersionRef): string {
  return ref.kind === 'live' ? 'the live board' : `“${ref.label}” (${dateTimeGroup(ref.createdAt)})`
}
