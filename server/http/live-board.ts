/** Reading and changing the live document of the route's board, through its room. */
import type { Context } from 'hono'
import * as Y from 'yjs'
import type { BoardModel } from '../../shared/board-model.ts'
import type { MutationContext } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { ChecksReport } from '../../shared/checks-report.ts'
import type { ExportScope } from '../../shared/export-scope.ts'
import { checkVersion } from '../export/export-version.ts'
import type { ChangeOptions } from '../relay/room.ts'
import { counted, requireWritable } from '../relay/written-budget.ts'
import { storedBoardJson } from '../snapshots/stored-board.ts'
import type { BoardEnv } from './app-env.ts'
import { rightStillHeld } from './board-role.ts'
import { notFound } from './errors.ts'
import { jsonBytes, type JsonBytes } from './json-text.ts'

/**
 * Changes the board's live document and resolves once the change is committed.
 * The caller's right is decided again right before the change is applied: the
 * room may have had to be loaded, or a commit waited for, since the request's check.
 * What it adds counts against what the caller may add to boards this hour, and
 * loading the board, when nobody holds it here, against what they may load.
 * A board past its size limit refuses it (BoardFull) unless `options` says it only deletes.
 */
export async function changeBoard<T>(c: Context<BoardEnv>, change: (doc: Y.Doc) => T, options?: ChangeOptions): Promise<T> {
  const { principal, services } = c.var
  const rates = principal.userId === null ? null : services.rooms.ratesOf(principal.userId)
  requireWritable(rates, Number(c.req.header('content-length') ?? 0))
  const result = await services.rooms.withRoom(c.var.board.id, (room) => room.change(counted(rates, change), rightStillHeld(c), options), rates ?? undefined)
  if (result === null) throw notFound('Board')
  return result
}

/**
 * The board model as stored, as JSON bytes: an HTTP reader never sees a change
 * before it is committed. Worked out in a worker thread from the stored log
 * (converting the board of 1,000 assessments held the relay's thread 60 to
 * 240 ms a request), and encoded, once for every reader until the board next
 * changes.
 */
export function readBoardJson(c: Context<BoardEnv>): Promise<JsonBytes<BoardModel>> {
  return keptUntilChanged(c, 'board-json', async () => {
    const json = await storedBoardJson(c.var.services, c.var.board.id)
    if (json === null) throw notFound('Board')
    return jsonBytes(json)
  })
}

/**
 * The analytic checks of the board as stored, in a worker thread (they read
 * every judgment's words), once for every reader until the board next changes:
 * what the checks tab shows, and what an acknowledgement is checked against.
 */
export function liveChecks(c: Context<BoardEnv>, scope: ExportScope): Promise<ChecksReport> {
  return keptUntilChanged(c, `checks:${scope}`, async () => {
    const report = await checkVersion(c.var.services, c.var.board.id, undefined, scope)
    if (report === null) throw notFound('Board')
    return report
  })
}

/** `make`'s answer kept by the board's room until its doc next changes; worked out afresh when nobody holds the board (it is not loaded for a read). */
function keptUntilChanged<T>(c: Context<BoardEnv>, what: string, make: () => Promise<T>): Promise<T> {
  const room = c.var.services.rooms.loadedRooms.get(c.var.board.id)
  return room ? room.readStored(what, make) : make()
}

/** Who makes the change, as the board's history records it. */
export function mutationContext(c: Context<BoardEnv>): MutationContext {
  return { by: c.var.principal.name, origin: serverOrigin(c.var.principal.userId ?? c.var.principal.name) }
}
