/**
 * How many bytes of snapshots members may make of one board
 * (BOARD_SNAPSHOT_MAX_BYTES). Each named snapshot and each restore point
 * stores the whole board again, so without a bound a member could fill the
 * disk with them at their hourly allowance. Automatic snapshots are left out:
 * the server makes them, at most one an interval, and keeps SNAPSHOT_RETENTION.
 */
import { formatBytes } from '../../shared/format-number.ts'
import type { SnapshotKind } from '../../shared/snapshot-model.ts'
import type { Storage } from '../storage/storage.ts'

/** The kinds members make, and the quota counts. */
export const MEMBER_SNAPSHOT_KINDS: readonly SnapshotKind[] = ['named', 'restore']

/** The board's named snapshots and restore points hold its quota: nothing more may be made until some are deleted. */
export class SnapshotQuotaReached extends Error {
  override name = 'SnapshotQuotaReached'

  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `This board's named snapshots and restore points hold ${formatBytes(bytes)}, its limit of ${formatBytes(limit)} (BOARD_SNAPSHOT_MAX_BYTES): ` +
        'nothing was made. An owner can delete snapshots nobody has reviewed, from the snapshot’s page, to make room.',
    )
  }
}

/**
 * Throws SnapshotQuotaReached when the board's named snapshots and restore
 * points already hold `limit` bytes. Asked before the board is captured, so a
 * refused request costs no work; a snapshot made then may pass the limit by
 * one board (at most BOARD_MAX_BYTES) for each request in flight at once.
 */
export async function ensureSnapshotRoom(storage: Storage, boardId: string, limit: number): Promise<void> {
  const bytes = await storage.snapshots.bytes(boardId, MEMBER_SNAPSHOT_KINDS)
  if (bytes >= limit) throw new SnapshotQuotaReached(bytes, limit)
}
