/** The worker pool as the configuration sets it: thread count (and the short lane's besides), queue and a member's wait in it, each person's share, memory, and each job kind's time budget; each person's worker time as `options` counts it. */
import type { Config } from '../config.ts'
import type { Logger } from '../log.ts'
import type { JobName } from './jobs.ts'
import { SHORT_JOBS } from './job-lanes.ts'
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.ts'

export function createWorkerPool(config: Config, logger: Logger, options: Pick<WorkerPoolOptions, 'settled' | 'entry' | 'workerTime'> = {}): WorkerPool {
  const boardState = config.BOARD_STATE_TIME_BUDGET_MS
  const budgetsMs: Record<JobName, number> = {
    'capture-board': boardState,
    'read-board': boardState,
    'read-snapshot': boardState,
    'snapshot-model-json': boardState,
    // Rebuilding the snapshot and the board, then rewriting one into the other: a board read's time, twice.
    'restore-snapshot': 2 * boardState,
    'merge-state': boardState,
    'attribute-rows': boardState,
    'lacking-updates': boardState,
    // Building the board again, then checking one update of at most MAX_UPDATE_PIECES.
    'check-update': boardState,
    'read-past-log': boardState,
    'board-as-of': boardState,
    // A comparison rebuilds two versions, then spends at most its word-diff budget.
    'diff-versions': boardState + config.DIFF_TIME_BUDGET_MS,
    // Rebuilding the version, then reading every judgment's words: well within a board read's time.
    'check-version': boardState,
    'export-board': config.EXPORT_TIME_BUDGET_MS,
    'parse-document': config.IMPORT_TIME_BUDGET_MS,
    'import-document': config.IMPORT_TIME_BUDGET_MS,
  }
  return new WorkerPool({
    threads: config.WORKER_THREADS,
    shortLane: { jobs: SHORT_JOBS, threads: config.WORKER_SHORT_LANE_THREADS },
    queueLimit: config.WORKER_QUEUE_LIMIT,
    memberWaitMs: config.WORKER_QUEUE_WAIT_MS,
    perOwnerLimit: config.WORKER_JOBS_PER_PERSON,
    memoryMb: config.WORKER_MEMORY_MB,
    budgetsMs,
    logger,
    ...options,
  })
}
