/**
 * A board's content at one moment, taken from its live room or read back from
 * stored state. Both give the same model, so a snapshot's hash can be checked
 * against its state at any later time.
 */
import * as Y from 'yjs'
import { boardToModel, documentText } from '../../shared/board-convert.ts'
import { migrateBoardDoc } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { Room } from '../relay/room.ts'
import { boardContentHash } from './content-hash.ts'

export type CapturedBoard = { state: Uint8Array; model: BoardModel; contentHash: string }

/** The room's document as it is now: call it synchronously after `whenSaved`, so it holds only committed state. */
export function captureRoom(room: Room): CapturedBoard {
  const state = Y.encodeStateAsUpdate(room.doc)
  const model = boardToModel(room.doc, room.boardId)
  return { state, model, contentHash: boardContentHash(model) }
}

/** The board's committed state now; null when there is no such board. */
export async function captureBoard(rooms: RoomRegistry, boardId: string): Promise<CapturedBoard | null> {
  return rooms.withRoom(boardId, async (room) => {
    await room.whenSaved()
    return captureRoom(room)
  })
}

/** The board's model now, committed changes only; null when there is no such board. */
export async function readLiveModel(rooms: RoomRegistry, boardId: string): Promise<BoardModel | null> {
  return rooms.withRoom(boardId, async (room) => {
    await room.whenSaved()
    return boardToModel(room.doc, boardId)
  })
}

export type StoredContent = {
  model: BoardModel
  /** The bodies of imported documents, which the model leaves out, by document id. */
  texts: Map<string, string>
}

/** The content a stored state holds, read in a document of its own. */
export function readBoardState(state: Uint8Array, boardId: string): StoredContent {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    migrateBoardDoc(doc)
    const model = boardToModel(doc, boardId)
    const texts = new Map<string, string>()
    for (const document of model.documents) {
      const text = documentText(doc, document.id)
      if (text !== undefined) texts.set(document.id, text)
    }
    return { model, texts }
  } finally {
    doc.destroy()
  }
}
