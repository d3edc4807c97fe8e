import type { SnapshotKind } from '../../shared/snapshot-model.ts'
import type { NewAuditRecord, SnapshotGuard, SnapshotRecord, Storage } from '../storage/storage.ts'
import type { Actor } from './actor.ts'
import type { CapturedBoard } from './board-state.ts'
import type { LiveCapture } from './stored-board.ts'

/**
 * `id`: set when the caller names the snapshot before it is stored (its audit entry does); a new one otherwise.
 * `asOf`: the past moment the captured content is of, when it is not the live board's.
 */
export type SnapshotMeta = { id?: string; label: string; kind: SnapshotKind; author: Actor; asOf?: string | null }

/** Stores captured content as the board's newest snapshot; null when the guard skipped it. With `audited`, that entry is written in the same transaction. */
export function recordSnapshot(
  storage: Storage,
  boardId: string,
  captured: CapturedBoard | LiveCapture,
  meta: SnapshotMeta,
  guard?: SnapshotGuard,
  audited?: NewAuditRecord,
): Promise<SnapshotRecord | null> {
  return storage.snapshots.create(
    {
      id: meta.id ?? crypto.randomUUID(),
      boardId,
      label: meta.label,
      kind: meta.kind,
      state: captured.state,
      contentHash: captured.contentHash,
      authorId: meta.author.id,
      authorName: meta.author.name,
      asOf: meta.asOf ?? null,
      ...('heldThroughSeq' in captured ? { heldThroughSeq: captured.heldThroughSeq } : {}),
    },
    guard,
    audited,
  )
}
