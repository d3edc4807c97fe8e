import * as Y from 'yjs'
import { errorMessage } from '../../shared/error-message.ts'
import { DEFAULT_MARKING, initBoardDoc, type BoardMetaInit } from '../../shared/board-doc.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { Principal } from '../access/access.ts'
import { audited } from '../access/audit.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { AutoSnapshots } from '../snapshots/auto-snapshots.ts'
import { SERVER_WRITER, type LogEntry, type Storage } from '../storage/storage.ts'

/** What creating a board takes. */
export type BoardMaking = { storage: Storage; rooms: RoomRegistry; clock: Clock; autoSnapshots: Pick<AutoSnapshots, 'boardChanged'>; logger?: Logger }

/**
 * Creates a board: its listing, its creator's ownership, its audit entry and
 * its document's first state, in one transaction, so that a refused write (a
 * full disk) leaves nothing behind for a retry to duplicate, and a board that
 * exists always has its owner, its entry and its title.
 */
export async function createBoard(services: BoardMaking, init: BoardMetaInit, creator: Principal): Promise<string> {
  const id = await makeBoard(services, init, creator, false)
  if (id === null) throw new Error('a board was not made, though it was not asked to be the first')
  return id
}

/** As createBoard, only when the database has no board at all (BoardFounding.onlyIfNoBoards); null when it had one. */
export function createFirstBoard(services: BoardMaking, init: BoardMetaInit, creator: Principal): Promise<string | null> {
  return makeBoard(services, init, creator, true)
}

async function makeBoard(services: BoardMaking, init: BoardMetaInit, creator: Principal, onlyIfNoBoards: boolean): Promise<string | null> {
  const id = crypto.randomUUID()
  const createdAt = services.clock().toISOString()
  // Listed with its counts at once: nothing is left for its first load to count.
  const summary = { title: init.title, marking: init.marking ?? DEFAULT_MARKING, assessmentCount: 0, claimCount: 0, lastChangeAt: createdAt }
  const owner = creator.userId === null ? null : { boardId: id, userId: creator.userId, role: 'owner' as const, addedAt: createdAt }
  const firstEntry = firstLogEntry(init, creator.userId ?? creator.name)
  const made = await audited(services, { actor: creator, action: 'board-created', boardId: id }, (row) =>
    services.storage.boards.create({ id, createdAt, createdBy: creator.userId, ...summary }, { owner, audited: row, firstEntry, onlyIfNoBoards }),
  )
  if (!made) return null
  // Its first state is stored without a commit of its room, which is what tells the automatic snapshots a board changed.
  services.autoSnapshots.boardChanged(id)
  // Loaded now, and kept while idle, for its creator opens it next. The board is stored: a load that fails (storage
  // refusing reads) must not answer its creation as failed, and leaves it to be loaded when it is opened.
  await services.rooms.withRoom(id, () => undefined).catch((error: unknown) => services.logger?.warn({ boardId: id, err: errorMessage(error) }, 'could not load a board just created; it is loaded when opened'))
  return id
}

/**
 * The log row a room stores when its new, empty board is given its settings
 * (initBoardDoc with the creator's server origin, one transaction): the update
 * that transaction makes, under the origin the room names it by (`server:<by>`).
 * Its client id (this throwaway document's) is stored as the server's with it,
 * as a room's own are (server-client-ids.ts): unowned, any editor could write
 * under it, and be stored as its writer.
 */
function firstLogEntry(init: BoardMetaInit, by: string): LogEntry {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  initBoardDoc(doc, init, serverOrigin(by))
  doc.destroy()
  if (updates.length !== 1) throw new Error(`a new board's settings made ${updates.length} updates, not one`)
  return { update: updates[0]!, origin: `server:${by}`, firstWrites: [{ userId: SERVER_WRITER, clients: [doc.clientID] }] }
}
