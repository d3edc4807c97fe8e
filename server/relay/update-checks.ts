/**
 * Where an update dear to check is checked: in a worker thread, off the
 * relay's event loop. Checking an update costs the relay's thread about its
 * check cost (check-cost.ts) at 200 ns a byte: 150,000 one-character items
 * typed backwards (1.6 MB) took 280 to 300 ms on a quiet machine and 1.3 s on
 * a loaded one, 199,000 collected structs 60 to 160 ms, every board of the
 * instance frozen meanwhile, at the first such frame of each account at
 * least. An update whose check costs more than CHECKED_HERE_UP_TO_BYTES is
 * checked in the worker pool instead (update-check-job.ts), as its sender's
 * job (their line, their jobs' bound, their worker time), while its room
 * applies nothing else (CommitLog.holdWhile): the room's other members wait
 * as they wait for a commit, every other board goes on. A keystroke, a paste
 * or a page's sync of a few hundred changes is checked on the relay's thread
 * as it arrives, at no added cost.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { asJobOwner, asServer } from '../workers/job-owner.ts'
import { WorkerJobError } from '../workers/worker-errors.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import type { CheckedUpdate, UpdateCheckJob } from './update-check-job.ts'

/**
 * The check cost (check-cost.ts) up to which an update is checked on the
 * relay's thread: at most some 13 ms of it (200 ns a byte), about 1,300
 * structs. A keystroke costs under a hundred bytes.
 */
export const CHECKED_HERE_UP_TO_BYTES = 64 * 1024

/**
 * How long an update waits for a thread to start its check before its sender
 * is told to send it again (CLOSE.checksBusy): its room applies nothing
 * meanwhile.
 */
const CHECK_START_WITHIN_MS = 2000

/** Checks `job` elsewhere, as the job of `owner` (a person's id, or null for a socket signed in as no one). */
export type UpdateChecks = (owner: string | null, job: UpdateCheckJob) => Promise<CheckedUpdate>

/** The worker pool's checks: each update a job of its sender's, started within CHECK_START_WITHIN_MS or refused. */
export function workerUpdateChecks(workers: Pick<WorkerPool, 'run'>): UpdateChecks {
  return (owner, job) => {
    const run = () => workers.run('check-update', job, { boardId: job.boardId, startWithinMs: CHECK_START_WITHIN_MS })
    return owner === null ? asServer(run) : asJobOwner(owner, run)
  }
}

/**
 * What an update's sender is closed with when its check elsewhere did not
 * end in a verdict: an update no thread could check within its time or memory
 * is refused as one that cannot be applied (final); one that found no thread
 * free, or its sender past their share of the pool, is sent again once its
 * client reconnects; a check that threw, as a throw in a check here does.
 */
export function uncheckedEvent(error: unknown): CloseEvent {
  if (!(error instanceof WorkerJobError)) return CLOSE.malformedMessage
  const { refusal } = error
  if (refusal === 'over-time' || refusal === 'overran-before' || refusal === 'out-of-memory' || refusal === 'stack-overflow') return CLOSE.updateRejected
  return CLOSE.checksBusy
}

/** Whether an update whose check costs `checkCost` bytes is checked elsewhere. */
export function checkedElsewhere(checkCost: number): boolean {
  return checkCost > CHECKED_HERE_UP_TO_BYTES
}
