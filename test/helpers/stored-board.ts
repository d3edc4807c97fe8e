/** What the database holds for a board, read and written past the relay's room, so a test sees what survives a restart. */
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import type { Storage } from '../../server/storage/storage.ts'

type WithStorage = { services: { storage: Pick<Storage, 'log'> } }

export async function storedBoard(server: WithStorage, boardId: string): Promise<BoardModel> {
  return withStoredDoc(server, boardId, (doc) => boardToModel(doc, boardId))
}

/** Runs `read` on a document holding what the database holds for the board. */
export async function withStoredDoc<T>(server: WithStorage, boardId: string, read: (doc: Y.Doc) => T): Promise<T> {
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, await server.services.storage.log.load(boardId))
    return read(doc)
  } finally {
    doc.destroy()
  }
}

/**
 * Stores `change`, made to the board as stored, as one row of its log, as the
 * relay stores what `origin` sent: content already on a board, whatever let it
 * in. The board's room must not be loaded, or it would not see the row.
 */
export async function storeChange(server: WithStorage, boardId: string, origin: string, change: (doc: Y.Doc) => void): Promise<void> {
  await storeUpdate(server, boardId, origin, (doc) => {
    const before = Y.encodeStateVector(doc)
    doc.transact(() => change(doc))
    return Y.encodeStateAsUpdate(doc, before)
  })
}

/** `storeChange` for an update written against the board as stored, such as one crafted as no Yjs client writes it. */
export async function storeUpdate(server: WithStorage, boardId: string, origin: string, write: (doc: Y.Doc) => Uint8Array): Promise<void> {
  const update = await withStoredDoc(server, boardId, write)
  await server.services.storage.log.append(boardId, [{ update, origin }])
}
