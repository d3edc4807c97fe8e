/**
 * Changes worked out in a worker thread on the board as stored (an import, a
 * restore) and then applied as one update take their turn, one board at a
 * time: each is worked out on what the one before it stored, never on the
 * same state as another one, whose update it would then be merged with.
 */
import type { Room } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { Storage } from '../storage/storage.ts'

const turns = new Map<string, Promise<unknown>>()

/**
 * Runs `change` once every change given for `boardId` before it has settled,
 * with the board's room and its log as stored, read once all the room has
 * applied (its layout migration on load, too) is stored. Null when there is
 * no such board.
 */
export function onStoredBoard<T>(
  services: { storage: Pick<Storage, 'log'>; rooms: RoomRegistry },
  boardId: string,
  change: (room: Room, log: StoredLog) => Promise<T>,
): Promise<T | null> {
  return inTurn(boardId, () =>
    services.rooms.withRoom(boardId, async (room) => {
      await room.whenStored()
      const { checkpoint, updates } = await services.storage.log.load(boardId)
      return change(room, { checkpoint, updates })
    }),
  )
}

function inTurn<T>(boardId: string, change: () => Promise<T>): Promise<T> {
  const next = (turns.get(boardId) ?? Promise.resolve()).then(change, change)
  turns.set(boardId, next)
  const forget = () => {
    if (turns.get(boardId) === next) turns.delete(boardId)
  }
  next.then(forget, forget)
  return next
}
