/**
 * How many snapshots members may make of one board, and how many bytes they
 * may hold (BOARD_SNAPSHOT_MAX_COUNT, BOARD_SNAPSHOT_MAX_BYTES). Each named
 * snapshot and each restore point stores the whole board again, so without a
 * bound a member could fill the disk with them at their hourly allowance; and
 * everyone on the board lists them, so their number is bounded too.
 * Automatic snapshots are left out: the server makes them, at most one an
 * interval, and keeps SNAPSHOT_RETENTION.
 */
import { formatBytes, formatCount } from '../../shared/format-number.ts'
import type { SnapshotKind } from '../../shared/snapshot-model.ts'
import type { Config } from '../config.ts'
import type { Storage } from '../storage/storage.ts'

/** The kinds members make, and the quota counts. */
export const MEMBER_SNAPSHOT_KINDS: readonly SnapshotKind[] = ['named', 'restore']

const MAKE_ROOM = 'nothing was made. An owner can delete snapshots nobody has reviewed, from the snapshot’s page, to make room.'

/** The board's named snapshots and restore points fill its quota: nothing more may be made until some are deleted. */
export class SnapshotQuotaReached extends Error {
  override name = 'SnapshotQuotaReached'
}

/**
 * Throws SnapshotQuotaReached when the board's named snapshots and restore
 * points already fill its quota. Asked before the board is captured, so a
 * refused request costs no work; a snapshot made then may pass the bytes by
 * one board (at most BOARD_MAX_BYTES) for each request in flight at once.
 */
export async function ensureSnapshotRoom(
  services: { storage: Storage; config: Pick<Config, 'BOARD_SNAPSHOT_MAX_COUNT' | 'BOARD_SNAPSHOT_MAX_BYTES'> },
  boardId: string,
): Promise<void> {
  const { BOARD_SNAPSHOT_MAX_COUNT: maxCount, BOARD_SNAPSHOT_MAX_BYTES: maxBytes } = services.config
  const usage = await services.storage.snapshots.usage(boardId, MEMBER_SNAPSHOT_KINDS)
  if (usage.count >= maxCount) {
    throw new SnapshotQuotaReached(
      `This board holds ${formatCount(usage.count)} named snapshots and restore points, its limit (BOARD_SNAPSHOT_MAX_COUNT): ${MAKE_ROOM}`,
    )
  }
  if (usage.bytes >= maxBytes) {
    throw new SnapshotQuotaReached(
      `This board's named snapshots and restore points hold ${formatBytes(usage.bytes)}, its limit of ${formatBytes(maxBytes)} (BOARD_SNAPSHOT_MAX_BYTES): ${MAKE_ROOM}`,
    )
  }
}
