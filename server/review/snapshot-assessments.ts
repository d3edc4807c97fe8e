/**
 * The assessment ids a snapshot holds, which review entries must refer to.
 * Snapshots never change, so what was read once stays true: a small cache
 * spares decoding the whole board state for every comment and verdict.
 */
import { readSnapshot } from '../snapshots/load-snapshot.ts'
import type { StoredBoards } from '../snapshots/stored-board.ts'
import type { SnapshotRecord } from '../storage/storage.ts'

/** Enough for the snapshots under review at one time; the oldest read is dropped first. */
const CACHED_SNAPSHOTS = 64

const cache = new Map<string, Set<string>>()

export type ReviewTarget = { snapshot: SnapshotRecord; assessmentIds: ReadonlySet<string> }

/** The snapshot and its assessment ids; null when the board has no such snapshot. */
export async function reviewTarget(services: StoredBoards, boardId: string, snapshotId: string): Promise<ReviewTarget | null> {
  const snapshot = await services.storage.snapshots.get(boardId, snapshotId)
  if (!snapshot) return null
  const key = `${boardId}/${snapshotId}`
  let ids = cache.get(key)
  if (!ids) {
    const loaded = await readSnapshot(services, boardId, snapshotId)
    if (!loaded) return null
    ids = new Set(loaded.model.assessments.map((a) => a.id))
    cache.set(key, ids)
    if (cache.size > CACHED_SNAPSHOTS) cache.delete(cache.keys().next().value as string)
  }
  return { snapshot, assessmentIds: ids }
}
