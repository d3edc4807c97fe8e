/** What the database holds for a board, read past the relay's room, so a test sees what survives a restart. */
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import type { Storage } from '../../server/storage/storage.ts'

export async function storedBoard(server: { services: { storage: Pick<Storage, 'log'> } }, boardId: string): Promise<BoardModel> {
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, await server.services.storage.log.load(boardId))
    return boardToModel(doc, boardId)
  } finally {
    doc.destroy()
  }
}
