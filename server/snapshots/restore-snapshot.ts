/**
 * Restore: the live board becomes equal to a snapshot's content, as one new
 * change that every connected client receives like any other edit. Nothing is
 * rewritten: the state it replaces is kept as a snapshot of its own, and
 * everyone on the board is told who restored which snapshot, and which snapshot
 * to restore to undo it.
 */
import type * as Y from 'yjs'
import { replaceBoardContent } from '../../shared/board-convert.ts'
import { collection } from '../../shared/board-doc.ts'
import type { RestoreResult } from '../../shared/snapshot-model.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { ChangeCheck } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { Actor } from './actor.ts'
import { captureDoc } from './board-state.ts'
import { boardContentHash } from './content-hash.ts'
import { readSnapshot } from './load-snapshot.ts'
import { recordSnapshot } from './record-snapshot.ts'
import type { StoredBoards } from './stored-board.ts'

/**
 * Null when the board or the snapshot does not exist. `check` decides, right
 * before the board is replaced, whether `actor` may still restore it: the
 * snapshot was read and rebuilt in the meantime.
 */
export async function restoreSnapshot(
  services: StoredBoards & { rooms: RoomRegistry },
  boardId: string,
  snapshotId: string,
  actor: Actor,
  check: ChangeCheck,
): Promise<RestoreResult | null> {
  const target = await readSnapshot(services, boardId, snapshotId)
  if (!target) return null
  const targetHash = boardContentHash(target.model)
  return services.rooms.withRoom(boardId, async (room) => {
    // Capture and replace in one synchronous step between two commits: no edit can land
    // between them, so the "before" snapshot holds exactly the state the restore replaced.
    const before = await room.change((doc) => {
      const captured = captureDoc(doc, boardId)
      if (captured.contentHash === targetHash) return null
      const origin = serverOrigin(actor.id ?? actor.name)
      doc.transact(() => {
        replaceBoardContent(doc, target.model, origin, target.texts)
        restoreDocumentExtras(doc, target.documentExtras)
      }, origin)
      return captured
    }, check)
    if (!before) return { changed: false, before: null }
    const recorded = await recordSnapshot(services.storage, boardId, before, {
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

/**
 * replaceBoardContent makes documents equal to their model, which leaves out
 * the import's content hash: put it back, or re-importing a restored document
 * would not be recognized as a re-import.
 */
function restoreDocumentExtras(doc: Y.Doc, extras: Map<string, Record<string, unknown>>): void {
  const documents = collection(doc, 'documents')
  for (const [documentId, fields] of extras) {
    const map = documents.get(documentId)
    if (!map) continue
    for (const [key, value] of Object.entries(fields)) {
      if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value)
    }
  }
}
