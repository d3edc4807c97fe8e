/** Reading a snapshot back as content: for the API, restore, diffs and exports. */
import type { BoardModel } from '../../shared/board-model.ts'
import type { Services } from '../services.ts'
import type { SnapshotRecord, Storage } from '../storage/storage.ts'
import { readBoardState, type StoredContent } from './board-state.ts'

export type SnapshotContent = StoredContent & { snapshot: SnapshotRecord }

/** The snapshot of the board with its content; null when the board has no such snapshot. */
export async function readSnapshot(storage: Storage, boardId: string, snapshotId: string): Promise<SnapshotContent | null> {
  const [snapshot, state] = await Promise.all([storage.snapshots.get(boardId, snapshotId), storage.snapshots.state(boardId, snapshotId)])
  if (!snapshot || !state) return null
  return { snapshot, ...readBoardState(state, boardId) }
}

export type LoadedSnapshot = {
  model: BoardModel
  snapshot: Pick<SnapshotRecord, 'id' | 'label' | 'createdAt' | 'contentHash' | 'previousId'>
  /** The snapshot made before this one (of any kind), when it is still stored. */
  previous?: { model: BoardModel; label: string }
}

/** A snapshot's board model and the one before it, as exports cite them; null when the board has no such snapshot. */
export async function loadSnapshotModel(
  services: Pick<Services, 'storage'>,
  boardId: string,
  snapshotId: string,
): Promise<LoadedSnapshot | null> {
  const loaded = await readSnapshot(services.storage, boardId, snapshotId)
  if (!loaded) return null
  const { id, label, createdAt, contentHash, previousId } = loaded.snapshot
  const result: LoadedSnapshot = { model: loaded.model, snapshot: { id, label, createdAt, contentHash, previousId } }
  const previous = previousId ? await readSnapshot(services.storage, boardId, previousId) : null
  if (previous) result.previous = { model: previous.model, label: previous.snapshot.label }
  return result
}
