/**
 * An update dear to check, checked in a worker thread (update-checks.ts): the
 * board is built again from the room's whole state as the check began, and
 * the update checked against it as validateUpdate checks it against the
 * room's doc. The room applies nothing meanwhile (CommitLog.holdWhile), so the
 * verdict is on the very doc the update is then applied to, as the doc is
 * after a reload from storage: the same content, its structs as Yjs builds
 * them from their encoding.
 */
import * as Y from 'yjs'
import { deletionsWithin } from './deletions-within.ts'
import { validateUpdate, type UpdateVerdict } from './validate-update.ts'

export type UpdateCheckJob = {
  boardId: string
  /** The room's whole state as the check began: parts that together hold exactly its doc (WholeState). */
  state: Uint8Array[]
  update: Uint8Array
  /** The board was past its size limit as the check began: the deletions its doc holds of the update are worked out too. */
  full: boolean
}

/** `deletions`: with `full`, what the update deletes of the board (deletionsWithin), null when nothing; undefined when not worked out. */
export type CheckedUpdate = { verdict: UpdateVerdict; deletions?: Uint8Array | null }

export function checkUpdate({ boardId, state, update, full }: UpdateCheckJob): CheckedUpdate {
  const doc = new Y.Doc({ guid: boardId })
  try {
    doc.transact(() => {
      for (const part of state) Y.applyUpdate(doc, part)
    })
    const verdict = validateUpdate(update, doc)
    if (!full || verdict.refused || !verdict.addsContent) return { verdict }
    return { verdict, deletions: deletionsWithin(update, doc) }
  } finally {
    doc.destroy()
  }
}
