/**
 * Edits a read-only page held that the server will never take: why, and
 * their texts, read against the board's stored state before the page drops them.
 */
import type * as Y from 'yjs'
import { boardToModel } from '../../../shared/board-convert.ts'
import { diffBoards, isEmptyDiff } from '../../../shared/board-diff.ts'
import type { BoardModel } from '../../../shared/board-model.ts'
import { api } from '../app/api.ts'
import { unsavedTexts, type UnsavedText } from './unsaved-texts.ts'

export type RefusedEdits = {
  /** Why the server refused them: the person is now a reviewer, or the board was archived. */
  reason: 'reviewer' | 'archived'
  texts: UnsavedText[]
  /** The stored board could not be read to tell the texts apart: none are listed. */
  unread: boolean
}

/** The notice over a page turned read-only: its edits refused, or, while `checking`, the typing it took away still being read. */
export type ReadOnlyNotice = {
  reason: RefusedEdits['reason']
  /** What the server refused; null while checking, or when it had stored everything. */
  edits: RefusedEdits | null
  checking: boolean
  /** The page took away a field being typed in: the notice has the focus, and holds keys meant for the field. */
  tookFocus: boolean
}

/** What the page holds that the stored board does not, or null when it holds nothing more. */
export async function refusedEdits(boardId: string, doc: Y.Doc, reason: RefusedEdits['reason']): Promise<RefusedEdits | null> {
  const local = boardToModel(doc, boardId)
  try {
    const stored = await api<BoardModel>('GET', `/api/boards/${encodeURIComponent(boardId)}`)
    const diff = diffBoards(stored, local, false)
    // The page held nothing the board does not (its badge had not yet caught up with the server): nothing to tell.
    return isEmptyDiff(diff) ? null : { reason, texts: unsavedTexts(diff, local), unread: false }
  } catch {
    return { reason, texts: [], unread: true }
  }
}
