/** Reading a snapshot back: its record and stored state, or its content (for the API and restore). */
import type { SnapshotRecord, Storage } from '../storage/storage.ts'
import type { StoredContent } from './board-state.ts'
import type { StoredBoards } from './stored-board.ts'

export type StoredSnapshot = { snapshot: SnapshotRecord; state: Uint8Array }

/** The snapshot's record and state as stored; null when the board has no such snapshot. */
export async function readSnapshotState(storage: Storage, boardId: string, snapshotId: string): Promise<StoredSnapshot | null> {
  const [snapshot, state] = await Promise.all([storage.snapshots.get(boardId, snapshotId), storage.snapshots.state(boardId, snapshotId)])
  return snapshot && state ? { snapshot, state } : null
}

export type SnapshotContent = StoredContent & { snapshot: SnapshotRecord }

/** The snapshot of the board with its content, read in a worker thread; null when the board has no such snapshot. */
export async function readSnapshot(parts: StoredBoards, boardId: string, snapshotId: string): Promise<SnapshotContent | null> {
  const stored = await readSnapshotState(parts.storage, boardId, snapshotId)
  if (!stored) return null
  return { snapshot: stored.snapshot, ...(await parts.workers.run('read-snapshot', { boardId, state: stored.state })) }
}
