/**
 * A board's content at one moment, taken from its live room, from the
 * database, or read back from a snapshot's state. All give the same model, so
 * a snapshot's hash can be checked against its state at any later time.
 *
 * Rebuilding a stored board is a whole Y.Doc of work (about a second for a
 * board of 1,000 assessments), so the functions here that start from stored
 * bytes run in the worker pool (`server/workers/jobs.ts`); stored-board.ts and
 * load-snapshot.ts are their main-thread side.
 */
import * as Y from 'yjs'
import { boardToModel, documentText } from '../../shared/board-convert.ts'
import { entity, migrateBoardDoc } from '../../shared/board-doc.ts'
import { documentSchema, type BoardModel } from '../../shared/board-model.ts'
import { jsonText, type JsonText } from '../http/json-text.ts'
import { applyStoredState, type StoredUpdates } from '../relay/merge-state.ts'
import { boardContentHash } from './content-hash.ts'

/** What a snapshot stores: the whole document as one update, and the content hash of its model. */
export type CapturedBoard = { state: Uint8Array; contentHash: string }

/** A board's stored log: its checkpoint and the rows after it. */
export type StoredLog = StoredUpdates

/** Where a version of a board is read from: the stored log (the live board) or a snapshot's state. */
export type BoardSource = { log: StoredLog } | { state: Uint8Array }

/** A document as it is now: a snapshot's content, or what a restore is about to replace. */
export function captureDoc(doc: Y.Doc, boardId: string): CapturedBoard {
  return { state: Y.encodeStateAsUpdate(doc), contentHash: boardContentHash(boardToModel(doc, boardId)) }
}

/**
 * Runs `read` on a document of its own holding the source's content, in the
 * current layout (as a room would on loading it), and destroys it after.
 */
export function withBoardDoc<T>(source: BoardSource, read: (doc: Y.Doc) => T): T {
  const doc = new Y.Doc()
  try {
    if ('log' in source) applyStoredState(doc, source.log)
    else Y.applyUpdate(doc, source.state)
    migrateBoardDoc(doc)
    return read(doc)
  } finally {
    doc.destroy()
  }
}

/**
 * Runs `change`, one transaction on `doc`, and gives back its result and the
 * update it made (null when it changed nothing): the one update a room then
 * applies.
 */
export function withUpdate<T>(doc: Y.Doc, change: () => T): { result: T; update: Uint8Array | null } {
  let update: Uint8Array | null = null
  const keep = (made: Uint8Array) => (update = made)
  doc.on('update', keep)
  try {
    const result = change()
    return { result, update }
  } finally {
    doc.off('update', keep)
  }
}

/** The model of the board a source holds. */
export function sourceModel(boardId: string, source: BoardSource): BoardModel {
  return withBoardDoc(source, (doc) => boardToModel(doc, boardId))
}

/** The model of a stored log as JSON text (in a worker thread: on the board of 1,000 assessments, a few megabytes). */
export function storedModelJson(boardId: string, log: StoredLog): JsonText<BoardModel> {
  return jsonText(sourceModel(boardId, { log }))
}

/** A snapshot's state as its model, in JSON (in a worker thread): what the snapshot API sends. */
export function stateModelJson(boardId: string, state: Uint8Array): JsonText<BoardModel> {
  return jsonText(sourceModel(boardId, { state }))
}

/** A stored log as one state with its content hash (in a worker thread). */
export function captureLog(boardId: string, log: StoredLog): CapturedBoard {
  return withBoardDoc({ log }, (doc) => captureDoc(doc, boardId))
}

export type StoredContent = {
  model: BoardModel
  /** The bodies of imported documents, which the model leaves out, by document id. */
  texts: Map<string, string>
  /** Other fields of imported documents that the model leaves out (the import's content hash), by document id. */
  documentExtras: Map<string, Record<string, unknown>>
}

const MODEL_DOCUMENT_FIELDS: ReadonlySet<string> = new Set([...Object.keys(documentSchema.shape), 'text'])

/** The content a stored state holds, read in a document of its own (in a worker thread). */
export function readBoardState(state: Uint8Array, boardId: string): StoredContent {
  return withBoardDoc({ state }, (doc) => {
    const model = boardToModel(doc, boardId)
    const texts = new Map<string, string>()
    const documentExtras = new Map<string, Record<string, unknown>>()
    for (const document of model.documents) {
      const text = documentText(doc, document.id)
      if (text !== undefined) texts.set(document.id, text)
      const map = entity(doc, 'documents', document.id)
      const extras = Object.fromEntries([...(map?.entries() ?? [])].filter(([key, value]) => !MODEL_DOCUMENT_FIELDS.has(key) && !(value instanceof Y.AbstractType)))
      if (Object.keys(extras).length > 0) documentExtras.set(document.id, extras)
    }
    return { model, texts, documentExtras }
  })
}
