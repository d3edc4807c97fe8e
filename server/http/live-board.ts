/** Reading and changing the live document of the route's board, through its room. */
import type { Context } from 'hono'
import * as Y from 'yjs'
import type { BoardModel } from '../../shared/board-model.ts'
import type { MutationContext } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { storedBoardJson } from '../snapshots/stored-board.ts'
import type { BoardEnv } from './app-env.ts'
import { rightStillHeld } from './board-role.ts'
import { notFound } from './errors.ts'
import type { JsonText } from './json-text.ts'

/**
 * Changes the board's live document and resolves once the change is committed.
 * The caller's right is decided again right before the change is applied: the
 * room may have had to be loaded, or a commit waited for, since the request's check.
 */
export async function changeBoard<T>(c: Context<BoardEnv>, change: (doc: Y.Doc) => T): Promise<T> {
  const result = await c.var.services.rooms.withRoom(c.var.board.id, (room) => room.change(change, rightStillHeld(c)))
  if (result === null) throw notFound('Board')
  return result
}

/**
 * The board model as stored, as JSON text: an HTTP reader never sees a change
 * before it is committed. Worked out in a worker thread from the stored log
 * (converting the board of 1,000 assessments held the relay's thread 60 to
 * 240 ms a request), once for every reader until the board next changes.
 */
export async function readBoardJson(c: Context<BoardEnv>): Promise<JsonText<BoardModel>> {
  const { services } = c.var
  const boardId = c.var.board.id
  const read = async () => {
    const json = await storedBoardJson(services, boardId)
    if (json === null) throw notFound('Board')
    return json
  }
  const room = services.rooms.loadedRooms.get(boardId)
  return room ? room.readStored('board-json', read) : read()
}

/** Who makes the change, as the board's history records it. */
export function mutationContext(c: Context<BoardEnv>): MutationContext {
  return { by: c.var.principal.name, origin: serverOrigin(c.var.principal.userId ?? c.var.principal.name) }
}
