/** The history policy as the configuration sets it (README, "History"). */
import type { Config } from '../config.ts'
import type { HistoryPolicy } from '../storage/storage.ts'

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

export function historyPolicy(config: Pick<Config, 'HISTORY_DETAIL_DAYS' | 'HISTORY_CHECKPOINT_MINUTES' | 'HISTORY_RETENTION_DAYS' | 'HISTORY_MAX_MB'>): HistoryPolicy {
  return {
    detailMs: config.HISTORY_DETAIL_DAYS * DAY_MS,
    checkpointEveryMs: config.HISTORY_CHECKPOINT_MINUTES * MINUTE_MS,
    retentionMs: config.HISTORY_RETENTION_DAYS * DAY_MS,
    maxBytes: config.HISTORY_MAX_MB * 1024 * 1024,
  }
}
