import { DEFAULT_MARKING, initBoardDoc, type BoardMetaInit } from '../../shared/board-doc.ts'
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
  const createdAt = services.clock().toISOString()
  // Listed with its counts at once: nothing is left for its first load to count.
  const summary = { title: init.title, marking: init.marking ?? DEFAULT_MARKING, assessmentCount: 0, claimCount: 0, lastChangeAt: createdAt }
  await services.storage.boards.create({ id, createdAt, createdBy: creator.userId, ...summary })
  await services.access.onBoardCreated(id, creator)
  await services.rooms.withRoom(id, (room) => room.change((doc) => initBoardDoc(doc, init, serverOrigin(creator.userId ?? creator.name))))
  return id
}
