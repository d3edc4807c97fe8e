/**
 * Restore: the live board becomes equal to a snapshot's content, as one new
 * change that every connected client receives like any other edit. Nothing is
 * rewritten: the state it replaces is kept as a snapshot of its own, and
 * everyone on the board is told who restored which snapshot, and which snapshot
 * to restore to undo it.
 *
 * The restore is worked out in a worker thread on the board as stored
 * (restore-job.ts), holding the board's turn, and applied as one update, as an
 * import is. It is applied only onto the very board it was worked out on: an
 * edit that landed meanwhile (under a second on the board of 1,000
 * assessments) would otherwise be merged with it, leaving the board unlike the
 * snapshot (a card deleted meanwhile stayed deleted, one added meanwhile stayed,
 * and was in no restore point). So the room compares its doc with the board
 * the worker rebuilt (their Yjs snapshots: state vector and deletions) right
 * as it applies the update, and on a difference the restore is worked out
 * again; when edits keep landing, on the live doc itself, between two of them.
 * The board then equals the snapshot, the restore point holds exactly what the
 * restore replaced, and only edits applied after it stay on top. The point is
 * stored once the restore is applied and before it is committed (Room.change's
 * storeFirst): a crash right after the commit left the board restored with no
 * point (315 to 549 ms on a board of 3,000 claims), and the claims it replaced
 * in no snapshot. A crash between the two leaves a point of the board as it
 * still is, the restore not made. The restore's audit entry is committed with
 * it, in the update log's transaction, so that no board is restored without
 * the record of who restored it. A restore that transaction refuses leaves
 * nothing behind: its point is removed (removeRefusedPoint).
 */
import * as Y from 'yjs'
import { errorMessage } from '../../shared/error-message.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { RestoreResult } from '../../shared/snapshot-model.ts'
import { toAuditView } from '../access/audit.ts'
import { catchUp, storedLog, type LoadedLog, type PreparedChanges } from '../boards/prepared-changes.ts'
import type { Logger } from '../log.ts'
import type { ChangeCheck, Room } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { NewAuditRecord, SnapshotRecord, TurnHolder } from '../storage/storage.ts'
import type { Actor } from './actor.ts'
import type { CapturedBoard } from './board-state.ts'
import { readSnapshotState } from './load-snapshot.ts'
import { recordSnapshot } from './record-snapshot.ts'
import { restoreOnDoc, type RestoreChange } from './restore-job.ts'
import type { StoredBoards } from './stored-board.ts'

/**
 * Times a restore is worked out in a worker before it is made on the live doc
 * (which holds the relay's thread while it is). A second try covers an edit
 * that landed once; edits landing faster than a restore is worked out (an
 * analyst typing on a large board) would let no try through.
 */
const WORKER_TRIES = 2

type RestoreParts = StoredBoards & { rooms: RoomRegistry; preparedChanges: PreparedChanges; logger: Logger }

/**
 * Null when the board or the snapshot does not exist. `check` decides, right
 * before the board is changed, whether `actor` may still restore it: the
 * restore was worked out in the meantime. `auditRow` makes the restore's audit
 * entry, naming its restore point, which is committed with the restore in one
 * transaction: should storage refuse it, the board is not restored.
 */
export async function restoreSnapshot(
  services: RestoreParts,
  boardId: string,
  snapshotId: string,
  actor: Actor,
  check: ChangeCheck,
  auditRow: (restorePoint: { beforeSnapshotId: string | null }) => NewAuditRecord,
): Promise<RestoreResult | null> {
  const target = await readSnapshotState(services.storage, boardId, snapshotId)
  if (!target) return null
  const by = actor.id ?? actor.name
  return services.preparedChanges.onStoredBoard(services, boardId, async (room, log, turn) => {
    const point: { recorded: SnapshotRecord | null } = { recorded: null }
    // Stored before the restore is committed: a crash right after its commit must not leave it without its point.
    const keepPoint = (before: CapturedBoard) =>
      recordSnapshot(services.storage, boardId, before, { label: `Before restore of ${target.snapshot.label}`, kind: 'restore', author: actor }).then((record) => {
        point.recorded = record
        return auditRow({ beforeSnapshotId: record?.id ?? null })
      })
    const made = await restoreInTurn(services, room, log, turn, target.state, by, check, keepPoint).catch(async (error: unknown) => {
      if (point.recorded) await removeRefusedPoint(services, boardId, point.recorded.id)
      throw error
    })
    if (!made) return { changed: false, before: null }
    const recorded = point.recorded
    room.announceRestore({
      id: crypto.randomUUID(),
      by: actor.name,
      at: new Date().toISOString(),
      snapshot: { id: target.snapshot.id, label: target.snapshot.label },
      restorePoint: recorded ? { id: recorded.id, label: recorded.label } : null,
    })
    return { changed: true, before: recorded }
  })
}

/**
 * The restore made on the board as the room holds it when it is applied;
 * `keepPoint` stores what it replaced before its commit, and gives the audit
 * entry committed with it.
 */
async function restoreInTurn(
  services: RestoreParts,
  room: Room,
  firstLog: LoadedLog,
  turn: TurnHolder | null,
  snapshot: Uint8Array,
  by: string,
  check: ChangeCheck,
  keepPoint: (before: CapturedBoard) => Promise<NewAuditRecord>,
): Promise<RestoreChange> {
  const boardId = room.boardId
  // A full board takes it: restoring an earlier version is how an owner undoes a board filled with junk. It lands only while its turn is held.
  const inTurn = { evenWhenFull: true, turn }
  const storeFirst = (made: RestoreChange | false) => (made ? keepPoint(made.before) : null)
  let log = firstLog
  for (let tries = 1; ; tries++) {
    const worked = await services.workers.run('restore-snapshot', { boardId, log, snapshot, by })
    const found = Y.decodeSnapshot(worked.found)
    catchUp(room, log, found)
    const applied = await room.change(
      (doc) => {
        if (!Y.equalSnapshots(Y.snapshot(doc), found)) return false
        if (worked.change) Y.applyUpdate(doc, worked.change.update, serverOrigin(by))
        return worked.change
      },
      check,
      inTurn,
      storeFirst,
    )
    if (applied !== false) return applied
    if (tries === WORKER_TRIES) return room.change((doc) => restoreOnDoc(doc, boardId, worked.target, by), check, inTurn, storeFirst)
    log = await storedLog(services, room)
  }
}

/**
 * Removes the restore point of a restore whose transaction failed: stored
 * before that transaction, the point outlived the refusal, a snapshot "Before
 * restore of …" of a restore never made. A transaction that failed as it
 * committed may have stored the restore all the same (server-changes.ts), and
 * such a restore keeps its point: it is removed only while the board's newest
 * restore entry, committed with the restore, names another point. Run in the
 * board's turn, so no other restore of it is recorded meanwhile. Should the
 * check or the removal fail, the point stays (a snapshot of the board as it
 * still is) and is logged; the restore's own error is what its caller is told.
 */
async function removeRefusedPoint(services: Pick<RestoreParts, 'storage' | 'logger'>, boardId: string, pointId: string): Promise<void> {
  try {
    const [newest] = await services.storage.audit.listForBoard(boardId, { limit: 1, action: 'restore' })
    if (newest && toAuditView(newest).detail.beforeSnapshotId === pointId) return
    await services.storage.snapshots.remove(boardId, pointId)
  } catch (error) {
    services.logger.error({ boardId, snapshotId: pointId, err: errorMessage(error) }, 'the restore point of a refused restore could not be removed')
  }
}
