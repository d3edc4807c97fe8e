/**
 * A board's content at one moment, taken from its live room, from the
 * database, or read back from a snapshot's state. All give the same model, so
 * a snapshot's hash can be checked against its state at any later time.
 */
import * as Y from 'yjs'
import { boardToModel, documentText } from '../../shared/board-convert.ts'
import { collection, migrateBoardDoc } from '../../shared/board-doc.ts'
import { documentSchema, type BoardModel } from '../../shared/board-model.ts'
import { applyStoredState } from '../relay/merge-state.ts'
import type { Storage } from '../storage/storage.ts'
import { boardContentHash } from './content-hash.ts'

export type CapturedBoard = { state: Uint8Array; model: BoardModel; contentHash: string }

/** A live document as it is now, for a change that must replace exactly what it captured (restore). */
export function captureDoc(doc: Y.Doc, boardId: string): CapturedBoard {
  const state = Y.encodeStateAsUpdate(doc)
  const model = boardToModel(doc, boardId)
  return { state, model, contentHash: boardContentHash(model) }
}

/**
 * The board's content as stored now: its checkpoint and every committed log
 * row, which is everything anyone has been shown (the relay broadcasts an
 * update only once it is committed). Read from the database rather than from
 * the live room, so a stream of edits cannot hold it up (a busy room is never
 * quite all saved), and so that edits committed by other instances are in it.
 * Null when there is no such board.
 */
export async function captureStoredBoard(storage: Storage, boardId: string): Promise<CapturedBoard | null> {
  if (!(await storage.boards.get(boardId))) return null
  const stored = await storage.log.load(boardId)
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, stored)
    // As a room would on loading it, so the content is read in the current layout.
    migrateBoardDoc(doc)
    const model = boardToModel(doc, boardId)
    return { state: Y.encodeStateAsUpdate(doc), model, contentHash: boardContentHash(model) }
  } finally {
    doc.destroy()
  }
}

export type StoredContent = {
  model: BoardModel
  /** The bodies of imported documents, which the model leaves out, by document id. */
  texts: Map<string, string>
  /** Other fields of imported documents that the model leaves out (the import's content hash), by document id. */
  documentExtras: Map<string, Record<string, unknown>>
}

const MODEL_DOCUMENT_FIELDS: ReadonlySet<string> = new Set([...Object.keys(documentSchema.shape), 'text'])

/** The content a stored state holds, read in a document of its own. */
export function readBoardState(state: Uint8Array, boardId: string): StoredContent {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    migrateBoardDoc(doc)
    const model = boardToModel(doc, boardId)
    const texts = new Map<string, string>()
    const documentExtras = new Map<string, Record<string, unknown>>()
    for (const document of model.documents) {
      const text = documentText(doc, document.id)
      if (text !== undefined) texts.set(document.id, text)
      const map = collection(doc, 'documents').get(document.id)
      const extras = Object.fromEntries([...(map?.entries() ?? [])].filter(([key, value]) => !MODEL_DOCUMENT_FIELDS.has(key) && !(value instanceof Y.AbstractType)))
      if (Object.keys(extras).length > 0) documentExtras.set(document.id, extras)
    }
    return { model, texts, documentExtras }
  } finally {
    doc.destroy()
  }
}
