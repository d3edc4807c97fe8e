/**
 * Restore: the live board becomes equal to a snapshot's content, as one new
 * change that every connected client receives like any other edit. Nothing is
 * rewritten: the state it replaces is kept as a snapshot of its own.
 */
import { replaceBoardContent } from '../../shared/board-convert.ts'
import type { RestoreResult } from '../../shared/snapshot-model.ts'
import type { ChangeOrigin } from '../relay/room.ts'
import type { Services } from '../services.ts'
import type { Actor } from './actor.ts'
import { captureRoom } from './board-state.ts'
import { boardContentHash } from './content-hash.ts'
import { readSnapshot } from './load-snapshot.ts'
import { recordSnapshot } from './record-snapshot.ts'

/** Null when the board or the snapshot does not exist. */
export async function restoreSnapshot(
  services: Pick<Services, 'storage' | 'rooms'>,
  boardId: string,
  snapshotId: string,
  actor: Actor,
): Promise<RestoreResult | null> {
  const target = await readSnapshot(services.storage, boardId, snapshotId)
  if (!target) return null
  const targetHash = boardContentHash(target.model)
  return services.rooms.withRoom(boardId, async (room) => {
    await room.whenSaved()
    // Capture and replace in one synchronous step: no edit can land between them, so the
    // "before" snapshot holds exactly the state the restore replaced.
    const before = captureRoom(room)
    if (before.contentHash === targetHash) return { changed: false, before: null }
    const origin: ChangeOrigin = { source: 'server', by: actor.id ?? actor.name }
    replaceBoardContent(room.doc, target.model, origin, target.texts)
    const [recorded] = await Promise.all([
      recordSnapshot(services.storage, boardId, before, {
        label: `Before restore of ${target.snapshot.label}`,
        kind: 'restore',
        author: actor,
      }),
      room.whenSaved(),
    ])
    return { changed: true, before: recorded }
  })
}
