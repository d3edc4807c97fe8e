/**
 * Which jobs are short: those the pool's short lane runs (worker-pool.ts).
 *
 * A short job rebuilds one version of one board, then at most reads it once
 * (its model, its checks, its content hash, one update checked against it, a
 * catch-up sifted, a log folded): its cost is bounded by a board's size limits,
 * and a person waits on a page for most of them (a board read, a settings
 * change answered with the board, the checks, a snapshot opened). Its time
 * budget is BOARD_STATE_TIME_BUDGET_MS. A long job renders, parses, plans,
 * rewrites or compares: an export (up to EXPORT_TIME_BUDGET_MS, a minute), an
 * import, a restore (two versions and a rewrite) or a comparison (two versions
 * and word diffs). With one thread, a board read waited behind a reviewer's PDF
 * exports for 13 to 18 s (red team 32b); long jobs never take the short lane's
 * thread, so a short job waits at most for the short ones ahead of it.
 * A record rather than a list, so that a new job must be placed.
 */
import type { JobName } from './jobs.ts'

const JOB_LENGTHS: Record<JobName, 'short' | 'long'> = {
  'capture-board': 'short',
  'read-board': 'short',
  'read-snapshot': 'short',
  'snapshot-model-json': 'short',
  'restore-snapshot': 'long',
  'merge-state': 'short',
  'attribute-rows': 'short',
  'lacking-updates': 'short',
  'check-update': 'short',
  'read-past-log': 'short',
  'board-as-of': 'short',
  'diff-versions': 'long',
  'check-version': 'short',
  'export-board': 'long',
  'parse-document': 'long',
  'import-document': 'long',
}

export const SHORT_JOBS: ReadonlySet<JobName> = new Set((Object.keys(JOB_LENGTHS) as JobName[]).filter((name) => JOB_LENGTHS[name] === 'short'))
