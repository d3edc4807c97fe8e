/** The two sides of a diff, each a snapshot or the live board, read from storage and compared in a worker thread. */
import type { WordDiffBounds } from '../../shared/word-diff-bounds.ts'
import { LIVE } from '../../shared/snapshot-model.ts'
import type { LoadedFromStorage } from '../export/export-version.ts'
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
  const { id, label, createdAt, asOf, contentHash } = stored.snapshot
  return { ref: { kind: 'snapshot', id, label, createdAt, asOf, contentHash }, source: { state: stored.state } }
}

/**
 * The comparison of `from` and `to` (snapshot ids or `live`) as JSON text, word
 * diffs within `words`' size and time; null when either is gone. The person's
 * worker slot is taken before either side is read, and the comparison runs in
 * it (in a worker thread); `loaded` is told what was read.
 */
export function diffStoredVersions(
  services: { storage: Storage; workers: WorkerPool },
  boardId: string,
  sides: { from: string; to: string; now: string },
  words: WordDiffBounds,
  loaded: LoadedFromStorage,
): Promise<JsonText<VersionsDiff> | null> {
  const { storage, workers } = services
  return workers.holdingSlot('diff-versions', async () => {
    const [from, to] = await Promise.all([readVersion(storage, boardId, sides.from, sides.now), readVersion(storage, boardId, sides.to, sides.now)])
    if (!from || !to) return null
    loaded([from, to])
    return workers.run('diff-versions', { boardId, from, to, words }, { moveInput: true })
  })
}
