/**
 * Restore: the live board becomes equal to a snapshot's content, as one new
 * change that every connected client receives like any other edit. Nothing is
 * rewritten: the state it replaces is kept as a snapshot of its own, and
 * everyone on the board is told who restored which snapshot, and which snapshot
 * to restore to undo it.
 *
 * The restore is worked out in a worker thread on the board as stored
 * (restore-job.ts) and applied as one update, as an import is. Edits that
 * land while it is worked out (under a second on the board of 1,000
 * assessments) are merged with it as any concurrent edit is, so they stay on
 * the restored board; the restore point holds the board as the restore found it.
 */
import * as Y from 'yjs'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { RestoreResult } from '../../shared/snapshot-model.ts'
import { onStoredBoard } from '../boards/prepared-changes.ts'
import type { ChangeCheck } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { Actor } from './actor.ts'
import { readSnapshotState } from './load-snapshot.ts'
import { recordSnapshot } from './record-snapshot.ts'
import type { StoredBoards } from './stored-board.ts'

/**
 * Null when the board or the snapshot does not exist. `check` decides, right
 * before the board is changed, whether `actor` may still restore it: the
 * restore was worked out in the meantime.
 */
export async function restoreSnapshot(
  services: StoredBoards & { rooms: RoomRegistry },
  boardId: string,
  snapshotId: string,
  actor: Actor,
  check: ChangeCheck,
): Promise<RestoreResult | null> {
  const target = await readSnapshotState(services.storage, boardId, snapshotId)
  if (!target) return null
  const by = actor.id ?? actor.name
  return onStoredBoard(services, boardId, async (room, log) => {
    const prepared = await services.workers.run('restore-snapshot', { boardId, log, snapshot: target.state, by })
    if (!prepared) return { changed: false, before: null }
    // A full board takes it: restoring an earlier version is how an owner undoes a board filled with junk.
    await room.change((doc) => Y.applyUpdate(doc, prepared.update, serverOrigin(by)), check, { evenWhenFull: true })
    const recorded = await recordSnapshot(services.storage, boardId, prepared.before, {
      label: `Before restore of ${target.snapshot.label}`,
      kind: 'restore',
      author: actor,
    })
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
