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
 * Member snapshots being made on this instance, per board: each counts
 * against its board's quota, by the board's stored size, from the moment its
 * request passes the check until it is recorded or given up. Without them,
 * requests sent at once each passed the check before any was recorded.
 */
export class SnapshotsInFlight {
  private readonly boards = new Map<string, { count: number; bytes: number }>()
  private releases = 0

  /** How many have been given up or recorded so far, on any board: a quota read across a change of this is read again. */
  get released(): number {
    return this.releases
  }

  of(boardId: string): { count: number; bytes: number } {
    return this.boards.get(boardId) ?? { count: 0, bytes: 0 }
  }

  /** Counts one snapshot of `bytes` in flight; the function returned ends it, once. */
  add(boardId: string, bytes: number): () => void {
    const inFlight = this.of(boardId)
    this.boards.set(boardId, { count: inFlight.count + 1, bytes: inFlight.bytes + bytes })
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.releases++
      const now = this.of(boardId)
      if (now.count === 1) this.boards.delete(boardId)
      else this.boards.set(boardId, { count: now.count - 1, bytes: now.bytes - bytes })
    }
  }
}

type QuotaServices = {
  storage: Storage
  config: Pick<Config, 'BOARD_SNAPSHOT_MAX_COUNT' | 'BOARD_SNAPSHOT_MAX_BYTES'>
  snapshotsInFlight: SnapshotsInFlight
}

/**
 * Throws SnapshotQuotaReached when the board's named snapshots and restore
 * points, with those in flight on this instance, already fill its quota;
 * otherwise runs `make`, which makes one, counted in flight until it ends,
 * given the board's stored size (what the snapshot will store, at most).
 * Asked before the board is captured, so a refused request costs no work.
 * The last one made may pass the bytes by one board (at most
 * BOARD_MAX_BYTES); instances count their own requests in flight, so each
 * may pass it so.
 */
export async function withSnapshotRoom<T>(services: QuotaServices, boardId: string, make: (boardBytes: number) => Promise<T>): Promise<T> {
  // What a snapshot of the board will store, about: the board as stored holds at least its state.
  const boardBytes = await services.storage.log.bytes(boardId)
  const ended = await reserveRoom(services, boardId, boardBytes)
  try {
    return await make(boardBytes)
  } finally {
    ended()
  }
}

async function reserveRoom(services: QuotaServices, boardId: string, boardBytes: number): Promise<() => void> {
  const { storage, snapshotsInFlight } = services
  const { BOARD_SNAPSHOT_MAX_COUNT: maxCount, BOARD_SNAPSHOT_MAX_BYTES: maxBytes } = services.config
  for (;;) {
    const releasedBefore = snapshotsInFlight.released
    const made = await storage.snapshots.usage(boardId, MEMBER_SNAPSHOT_KINDS)
    // One recorded while it was read may be in neither count: read again.
    if (snapshotsInFlight.released !== releasedBefore) continue
    const inFlight = snapshotsInFlight.of(boardId)
    const count = made.count + inFlight.count
    const bytes = made.bytes + inFlight.bytes
    if (count >= maxCount) {
      const making = inFlight.count > 0 ? ` (${formatCount(inFlight.count)} of them being made)` : ''
      throw new SnapshotQuotaReached(`This board holds ${formatCount(count)} named snapshots and restore points${making}, its limit (BOARD_SNAPSHOT_MAX_COUNT): ${MAKE_ROOM}`)
    }
    if (bytes >= maxBytes) {
      throw new SnapshotQuotaReached(
        `This board's named snapshots and restore points hold ${formatBytes(bytes)}, its limit of ${formatBytes(maxBytes)} (BOARD_SNAPSHOT_MAX_BYTES): ${MAKE_ROOM}`,
      )
    }
    return snapshotsInFlight.add(boardId, boardBytes)
  }
}
