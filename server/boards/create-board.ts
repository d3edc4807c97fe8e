import { initBoardDoc, type BoardMetaInit } from '../../shared/board-doc.ts'
import type { Principal } from '../access/access.ts'
import type { Services } from '../services.ts'

/** Creates a board: its listing, its creator's ownership, and its document's first, committed state. */
export async function createBoard(services: Services, init: BoardMetaInit, creator: Principal): Promise<string> {
  const id = crypto.randomUUID()
  await services.storage.boards.create({ id, title: init.title, createdAt: services.clock().toISOString(), createdBy: creator.userId })
  await services.access.onBoardCreated(id, creator)
  await services.rooms.withRoom(id, (room) => room.change((doc) => initBoardDoc(doc, init, { source: 'server', by: creator.userId ?? creator.name })))
  return id
}
