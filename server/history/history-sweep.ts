/**
 * Thins every board's history to the policy once an hour, having dated back
 * any board's history found ahead of the clock (UpdateLogStore.dateBackFuture). A board being
 * edited is thinned after its compactions already (server/relay/compaction.ts);
 * this is for the boards nobody edits, whose rows past the detail window and
 * checkpoints past the retention would otherwise stay until someone edits them
 * again. One board at a time, each a short storage call, and none another
 * thinning of this instance is at (one-thinning.ts); one board's failure
 * is logged and the sweep goes on. Several instances may sweep the same
 * boards: thinning what is already thin drops nothing.
 */
import type { Logger } from '../log.ts'
import { PeriodicTask } from '../periodic-task.ts'
import type { HistoryPolicy, Storage } from '../storage/storage.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { thinAlone } from './one-thinning.ts'

export const HISTORY_SWEEP_INTERVAL_MS = 60 * 60_000

type SweepParts = { storage: Pick<Storage, 'boards' | 'history' | 'log'>; logger: Logger; policy: HistoryPolicy; now: () => Date }

export type HistorySweepResult = { boards: number; checkpointsDropped: number; rowsDropped: number; changesDropped: number }

/** The sweep, started by the caller (`start`), run at once by `runOnce`, ended by `stop`. */
export function createHistorySweep(parts: SweepParts, intervalMs = HISTORY_SWEEP_INTERVAL_MS): PeriodicTask<HistorySweepResult> {
  const task: PeriodicTask<HistorySweepResult> = new PeriodicTask(() => sweep(parts, () => task.stopped), { intervalMs, logger: parts.logger, failure: 'history sweep failed' })
  return task
}

async function sweep({ storage, logger, policy, now }: SweepParts, stopped: () => boolean): Promise<HistorySweepResult> {
  const result: HistorySweepResult = { boards: 0, checkpointsDropped: 0, rowsDropped: 0, changesDropped: 0 }
  // First, as at start (services.ts): a board left ahead of a clock that stepped forward and back while the server ran
  // is dated back within the hour rather than at its next edit, and is not thinned by times to come.
  try {
    await storage.log.dateBackFuture()
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, 'history sweep could not date back history ahead of the clock')
  }
  for (const { id } of await storage.boards.list()) {
    if (stopped()) break
    try {
      // A board a compaction is thinning already is skipped: thinned once is thin.
      const dropped = await thinAlone(id, () => storage.history.thin(id, policy, now().toISOString()))
      if (dropped === null) continue
      result.boards++
      result.checkpointsDropped += dropped.checkpointsDropped
      result.rowsDropped += dropped.rowsDropped
      result.changesDropped += dropped.changesDropped
    } catch (error) {
      // A board deleted meanwhile, or the database away: the next sweep tries again.
      logger.warn({ boardId: id, err: errorMessage(error) }, 'history sweep could not thin a board')
    }
  }
  if (result.checkpointsDropped + result.rowsDropped + result.changesDropped > 0) logger.info(result, 'history sweep thinned boards')
  return result
}
