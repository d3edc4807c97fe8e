import { initBoardDoc, type BoardMetaInit } from '../../shared/board-doc.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { Access, Principal } from '../access/access.ts'
import type { Clock } from '../clock.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { Storage } from '../storage/storage.ts'

/** What creating a board takes. */
export type BoardMaking = { storage: Storage; access: Access; rooms: RoomRegistry; clock: Clock }

/** Creates a board: its listing, its creator's ownership, and its document's first, committed state. */
export async function createBoard(services: BoardMaking, init: BoardMetaInit, creator: Principal): Promise<string> {
  const id = crypto.randomUUID()
  await services.storage.boards.create({ id, title: init.title, createdAt: services.clock().toISOString(), createdBy: creator.userId })
  await services.access.onBoardCreated(id, creator)
  await services.rooms.withRoom(id, (room) => room.change((doc) => initBoardDoc(doc, init, serverOrigin(creator.userId ?? creator.name))))
  return id
}
