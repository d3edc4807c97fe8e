/**
 * The bytes of named snapshots and restore points one person stores
 * (SNAPSHOT_BYTES_PER_HOUR_PER_PERSON). Each stores the whole board again,
 * and a board's own quota (BOARD_SNAPSHOT_MAX_BYTES) bounds one board: one
 * editor filling a board of their own to 14 MB and snapshotting it at their
 * count allowance stored 482 MB in 48 s, some 1 GiB an hour on every board
 * they own. A named snapshot is charged the bytes it stores, once they are
 * known; a restore is charged the board's stored size before it starts (its
 * restore point is stored while the restore is applied, where a refusal would
 * reload the board for everyone).
 */
import type { Principal } from '../access/access.ts'
import type { HourlyAllowance } from '../access/hourly-allowance.ts'
import type { Config } from '../config.ts'
import { formatBytes } from '../../shared/format-number.ts'
import { ApiError } from './errors.ts'

export type SnapshotBytesServices = {
  allowances: { snapshotBytes: HourlyAllowance }
  config: Pick<Config, 'SNAPSHOT_BYTES_PER_HOUR_PER_PERSON'>
}

/** Throws `429 snapshot_bytes_spent` when `principal` may not store `bytes` more of snapshots now; counts nothing. */
export async function ensureSnapshotBytes(services: SnapshotBytesServices, principal: Principal, bytes: number): Promise<void> {
  if (!(await services.allowances.snapshotBytes.allows(principal, bytes))) throw bytesSpent(services, bytes)
}

/** Counts `bytes` stored by `principal`, or throws as ensureSnapshotBytes does, counting nothing. */
export async function spendSnapshotBytes(services: SnapshotBytesServices, principal: Principal, bytes: number): Promise<void> {
  if (!(await services.allowances.snapshotBytes.take(principal, bytes))) throw bytesSpent(services, bytes)
}

function bytesSpent(services: SnapshotBytesServices, bytes: number): ApiError {
  const seconds = services.allowances.snapshotBytes.retryAfterSeconds(bytes)
  const perHour = formatBytes(services.config.SNAPSHOT_BYTES_PER_HOUR_PER_PERSON)
  return new ApiError(
    429,
    'snapshot_bytes_spent',
    `This would store ${formatBytes(bytes)} of snapshot, more than you may still store this hour (${perHour} of named snapshots and restore points an hour, SNAPSHOT_BYTES_PER_HOUR_PER_PERSON): nothing was stored. Try again in ${seconds} s.`,
    seconds,
  )
}
