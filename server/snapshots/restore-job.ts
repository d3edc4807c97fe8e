/**
 * A snapshot's content put onto a board. In a worker thread, onto a copy of
 * the board rebuilt from storage: what comes back is the Yjs snapshot of the
 * board it was worked out on (its state vector and deletions, which the room
 * compares with its own before applying), what the board held (kept as the
 * restore point) and the restore as one Yjs update, which the board's room
 * applies as it would any edit: the relay's thread never rebuilds, compares
 * or rewrites the board (on the board of 1,000 assessments that held it 0.26
 * to 0.47 s a restore). The same change is made on the live doc itself only
 * when edits kept landing while it was worked out (restore-snapshot.ts).
 */
import * as Y from 'yjs'
import { replaceBoardContent } from '../../shared/board-convert.ts'
import { entity } from '../../shared/board-doc.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { captureDoc, readBoardState, withBoardDoc, withUpdate, type CapturedBoard, type StoredContent, type StoredLog } from './board-state.ts'
import { boardContentHash } from './content-hash.ts'

export type RestoreJob = { boardId: string; log: StoredLog; snapshot: Uint8Array; by: string }

/** Null when the board already holds the snapshot's content. */
export type RestoreChange = { before: CapturedBoard; update: Uint8Array } | null

/**
 * `found` is the encoded Yjs snapshot of the board the change was worked out
 * on; `target` the snapshot's content, so that working it out again on the
 * live doc does not rebuild the snapshot on the relay's thread.
 */
export type PreparedRestore = { found: Uint8Array; target: StoredContent; change: RestoreChange }

export function restoreOnStoredBoard({ boardId, log, snapshot, by }: RestoreJob): PreparedRestore {
  const target = readBoardState(snapshot, boardId)
  return withBoardDoc({ log }, (doc) => ({ found: Y.encodeSnapshot(Y.snapshot(doc)), target, change: restoreOnDoc(doc, boardId, target, by) }))
}

/** Makes `doc` hold `target` in one transaction; what it held before, and the update that made it. */
export function restoreOnDoc(doc: Y.Doc, boardId: string, target: StoredContent, by: string): RestoreChange {
  const before = captureDoc(doc, boardId)
  if (before.contentHash === boardContentHash(target.model)) return null
  const origin = serverOrigin(by)
  const { update } = withUpdate(doc, () =>
    doc.transact(() => {
      replaceBoardContent(doc, target.model, origin, target.texts)
      restoreDocumentExtras(doc, target.documentExtras)
    }, origin),
  )
  if (update === null) throw new Error(`restoring board ${boardId} changed nothing, yet its content differs from the snapshot's`)
  return { before, update }
}

/**
 * replaceBoardContent makes documents equal to their model, which leaves out
 * the import's content hash: put it back, or re-importing a restored document
 * would not be recognized as a re-import.
 */
function restoreDocumentExtras(doc: Y.Doc, extras: Map<string, Record<string, unknown>>): void {
  for (const [documentId, fields] of extras) {
    const map = entity(doc, 'documents', documentId)
    if (!map) continue
    for (const [key, value] of Object.entries(fields)) {
      if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value)
    }
  }
}
