/**
 * A route's read of a whole stored version of its board for a worker job: a
 * snapshot's checks, a comparison of two versions, an export. Each read one or
 * two snapshots' states and the board's whole live log (on SQLite on the
 * relay's thread) and copied them to a thread, and nothing bounded it before
 * the job was asked for: a reviewer's 16 requests at once, in a loop, on a
 * 14 MB board, held every board's /healthz for up to 3.2 s and an honest
 * member's edits at 4.4 s (p99); 280 of 312 requests a minute were refused
 * too_many_tasks, each only once it had read everything (the red team 26).
 * Now, in this order, each refusal before anything is read:
 * - the hourly allowance the route spends (VERSION_READS_PER_HOUR_PER_PERSON
 *   here; an export spends EXPORTS_PER_HOUR_PER_PERSON in its route), given
 *   back when the read is refused;
 * - what the person may load a minute (LOADED_BYTES_PER_MINUTE_PER_PERSON),
 *   charged the bytes the read took from storage once they are known;
 * - for a snapshot's checks or export and a comparison, a costly history read
 *   (HISTORY_READS_PER_PERSON in flight, HISTORY_READS_PER_INSTANCE computed at
 *   once): identical reads share one computation, and one that only snapshots
 *   decide is kept for the next (history-reads.ts);
 * - the person's worker slot (WORKER_JOBS_PER_PERSON), taken by the
 *   computation before it reads (WorkerPool.holdingSlot, in the readers).
 */
import type { Context } from 'hono'
import type { HourlyAllowance } from '../access/hourly-allowance.ts'
import type { LoadedFromStorage, VersionReading } from '../export/export-version.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import { WorkerJobError } from '../workers/worker-errors.ts'
import { givenBackOnFailure, spendAllowance } from './allowance.ts'
import type { BoardEnv } from './app-env.ts'
import { ApiError } from './errors.ts'
import { estimatedBytes } from './history-read-cache.ts'
import type { VersionReadKind } from './history-reads.ts'
import { loadingPayer } from './loaded-bytes.ts'

/**
 * What names a read: its kind and parameters, and what never changes of it
 * (`version`, e.g. snapshots' content hashes; when absent the log's state is
 * read for it). `keep` false: shared while in flight, never kept.
 */
export type VersionRead = { kind: VersionReadKind; parameters: string; version?: string; keep?: boolean }

/**
 * The caller's read of a version for a snapshot's checks or a comparison,
 * spending one of their VERSION_READS_PER_HOUR_PER_PERSON. Kept and shared, an
 * answer still costs the relay's thread its bytes written to the socket (a
 * large board's checks are hundreds of kB): it counts against what the caller
 * may load, as a snapshot sent whole does.
 */
export async function versionRead<T extends Uint8Array | null>(c: Context<BoardEnv>, read: VersionRead, compute: (loaded: LoadedFromStorage) => Promise<T>): Promise<T> {
  const { services, principal } = c.var
  const allowance: HourlyAllowance = services.allowances.versionReads
  await spendAllowance(allowance, principal, "read snapshots' checks and comparisons as many times")
  const answered = async () => {
    const payer = loadingPayer(c)
    const answer = await sharedVersionRead(c, read, compute, payer)
    if (answer) payer?.didLoad(answer.byteLength)
    return answer
  }
  return givenBackOnFailure(allowance, principal, answered, { onlyFor: refusedUnread })
}

/** How the caller's export reads its version: a snapshot's shared with identical ones in flight, every one charged its bytes. */
export function exportReading(c: Context<BoardEnv>, snapshotId: string | undefined): VersionReading {
  if (snapshotId === undefined) return (_key, compute) => compute(charging(loadingPayer(c)))
  // The key names the board's log as it is and the snapshot it is compared with, not the snapshot's review: never kept.
  return (key, compute) => sharedVersionRead(c, { kind: 'snapshot-export', parameters: snapshotId, version: key, keep: false }, compute, loadingPayer(c))
}

/** `compute`'s answer or that of an identical read, within the history reads' bounds; what a computation reads is charged to `payer`. */
function sharedVersionRead<T>(c: Context<BoardEnv>, read: VersionRead, compute: (loaded: LoadedFromStorage) => Promise<T>, payer: Payer): Promise<T> {
  return c.var.services.historyReads.read(c.var.principal.userId, { boardId: c.var.board.id, ...read }, () => compute(charging(payer)))
}

type Payer = ReturnType<typeof loadingPayer>

function charging(payer: Payer): LoadedFromStorage {
  return (read) => payer?.didLoad(estimatedBytes(read))
}

/** A refusal before the request read anything (its bounds in flight, its worker slot, its loaded bytes): it costs none of an hourly allowance. */
export function refusedUnread(error: unknown): boolean {
  if (error instanceof WorkerJobError) return error.refusal === 'too-many-own' || error.refusal === 'worker-time-spent' || error.refusal === 'busy'
  if (error instanceof LoadingTooMuch) return true
  return error instanceof ApiError && (error.code === 'too_many_history_reads' || error.code === 'history_reads_busy')
}
