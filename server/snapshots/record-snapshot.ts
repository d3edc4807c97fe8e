import type { SnapshotKind } from '../../shared/snapshot-model.ts'
import type { SnapshotGuard, SnapshotRecord, Storage } from '../storage/storage.ts'
import type { Actor } from './actor.ts'
import type { CapturedBoard } from './board-state.ts'

export type SnapshotMeta = { label: string; kind: SnapshotKind; author: Actor }

/** Stores captured content as the board's newest snapshot; null when the guard skipped it. */
export function recordSnapshot(
  storage: Storage,
  boardId: string,
  captured: CapturedBoard,
  meta: SnapshotMeta,
  guard?: SnapshotGuard,
): Promise<SnapshotRecord | null> {
  return storage.snapshots.create(
    {
      id: crypto.randomUUID(),
      boardId,
      label: meta.label,
      kind: meta.kind,
      state: captured.state,
      contentHash: captured.contentHash,
      authorId: meta.author.id,
      authorName: meta.author.name,
    },
    guard,
  )
}
