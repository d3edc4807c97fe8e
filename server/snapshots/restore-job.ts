/**
 * Inside a worker thread: a snapshot's content put onto a copy of the board
 * rebuilt from storage. What comes back is what the board held (kept as the
 * restore point) and the restore as one Yjs update, which the board's room
 * applies as it would any edit: the relay's thread never rebuilds, compares
 * or rewrites the board (on the board of 1,000 assessments that held it 0.26
 * to 0.47 s a restore).
 */
import type * as Y from 'yjs'
import { replaceBoardContent } from '../../shared/board-convert.ts'
import { entity } from '../../shared/board-doc.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { captureDoc, readBoardState, withBoardDoc, withUpdate, type CapturedBoard, type StoredLog } from './board-state.ts'
import { boardContentHash } from './content-hash.ts'

export type RestoreJob = { boardId: string; log: StoredLog; snapshot: Uint8Array; by: string }

/** Null when the board already holds the snapshot's content. */
export type PreparedRestore = { before: CapturedBoard; update: Uint8Array } | null

export function restoreOnStoredBoard({ boardId, log, snapshot, by }: RestoreJob): PreparedRestore {
  const target = readBoardState(snapshot, boardId)
  const targetHash = boardContentHash(target.model)
  return withBoardDoc({ log }, (doc) => {
    const before = captureDoc(doc, boardId)
    if (before.contentHash === targetHash) return null
    const origin = serverOrigin(by)
    const { update } = withUpdate(doc, () =>
      doc.transact(() => {
        replaceBoardContent(doc, target.model, origin, target.texts)
        restoreDocumentExtras(doc, target.documentExtras)
      }, origin),
    )
    if (update === null) throw new Error(`restoring board ${boardId} changed nothing, yet its content differs from the snapshot's`)
    return { before, update }
  })
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
