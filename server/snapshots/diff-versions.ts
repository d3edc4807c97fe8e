/** The two sides of a diff, each a snapshot or the live board, read from storage and compared in a worker thread. */
import { LIVE } from '../../shared/snapshot-model.ts'
import type { Services } from '../services.ts'
import { readStoredLog } from './board-state.ts'
import type { JsonText } from '../http/json-text.ts'
import type { VersionSide, VersionsDiff } from './diff-job.ts'
import { readSnapshotState } from './load-snapshot.ts'

/** A snapshot id or `live`; null when the board has no such snapshot (or no longer exists). */
export async function readVersion(services: Pick<Services, 'storage'>, boardId: string, version: string): Promise<VersionSide | null> {
  if (version === LIVE) {
    const at = new Date().toISOString()
    const log = await readStoredLog(services, boardId)
    return log && { ref: { kind: 'live', at }, source: { log } }
  }
  const stored = await readSnapshotState(services.storage, boardId, version)
  if (!stored) return null
  const { id, label, createdAt, contentHash } = stored.snapshot
  return { ref: { kind: 'snapshot', id, label, createdAt, contentHash }, source: { state: stored.state } }
}

/** The comparison as JSON text, word diffs bounded by the configured size and time. */
export function diffVersions(services: Pick<Services, 'config' | 'workers'>, boardId: string, from: VersionSide, to: VersionSide): Promise<JsonText<VersionsDiff>> {
  const { DIFF_MAX_TEXT_CHARS, DIFF_TIME_BUDGET_MS } = services.config
  return services.workers.run('diff-versions', { boardId, from, to, words: { maxTextChars: DIFF_MAX_TEXT_CHARS, budgetMs: DIFF_TIME_BUDGET_MS } })
}
