/** The two sides of a diff, each a snapshot or the live board, read from storage and compared in a worker thread. */
import type { WordDiffBounds } from '../../shared/word-diff-bounds.ts'
import { LIVE } from '../../shared/snapshot-model.ts'
import type { JsonText } from '../http/json-text.ts'
import type { Storage } from '../storage/storage.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import type { VersionSide, VersionsDiff } from './diff-job.ts'
import { readSnapshotState } from './load-snapshot.ts'
import { readStoredLog } from './stored-board.ts'

/**
 * A snapshot id or `live`; null when the board has no such snapshot (or no
 * longer exists). `now` is the live board's time, on the clock its history is
 * stamped with, so the changes between two versions can be read by time.
 */
export async function readVersion(storage: Storage, boardId: string, version: string, now: string): Promise<VersionSide | null> {
  if (version === LIVE) {
    const log = await readStoredLog(storage, boardId)
    return log && { ref: { kind: 'live', at: now }, source: { log } }
  }
  const stored = await readSnapshotState(storage, boardId, version)
  if (!stored) return null
  const { id, label, createdAt, contentHash } = stored.snapshot
  return { ref: { kind: 'snapshot', id, label, createdAt, contentHash }, source: { state: stored.state } }
}

/** The comparison as JSON text (in a worker thread), word diffs within `words`' size and time. */
export function diffVersions(workers: WorkerPool, boardId: string, from: VersionSide, to: VersionSide, words: WordDiffBounds): Promise<JsonText<VersionsDiff>> {
  return workers.run('diff-versions', { boardId, from, to, words })
}
