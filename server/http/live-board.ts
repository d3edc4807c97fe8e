/** Reading and changing the live document of the route's board, through its room. */
import type { Context } from 'hono'
import * as Y from 'yjs'
import type { BoardModel } from '../../shared/board-model.ts'
import type { MutationContext } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { ChecksReport } from '../../shared/checks-report.ts'
import type { ExportScope } from '../../shared/export-scope.ts'
import { logBytes } from '../boards/prepared-changes.ts'
import type { ChangeOptions } from '../relay/room.ts'
import { counted, requireWritable } from '../relay/written-budget.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import { readStoredLog } from '../snapshots/stored-board.ts'
import type { BoardEnv } from './app-env.ts'
import { rightStillHeld } from './board-role.ts'
import { notFound } from './errors.ts'
import type { JobName } from '../workers/jobs.ts'
import { estimatedBytes } from './history-read-cache.ts'
import type { LiveReadKind } from './history-reads.ts'
import { jsonBytes, type JsonBytes } from './json-text.ts'
import { loadingPayer } from './loaded-bytes.ts'

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
 * changes (keptUntilChanged).
 */
export function readBoardJson(c: Context<BoardEnv>): Promise<JsonBytes<BoardModel>> {
  const job = 'read-board'
  return keptUntilChanged(c, 'live-model', '', job, async (log) => jsonBytes(await c.var.services.workers.run(job, { boardId: c.var.board.id, log }, { moveInput: true })))
}

/**
 * The analytic checks of the board as stored, in a worker thread (they read
 * every judgment's words), once for every reader until the board next changes:
 * what the checks tab shows, and what an acknowledgement is checked against.
 */
export function liveChecks(c: Context<BoardEnv>, scope: ExportScope): Promise<ChecksReport> {
  const { services, board } = c.var
  const job = 'check-version'
  return keptUntilChanged(c, 'live-checks', scope, job, (log) =>
    services.workers.run(job, { version: { kind: 'live', boardId: board.id, at: services.clock().toISOString(), log }, scope }, { moveInput: true }),
  )
}

/**
 * `make`'s answer from the board's stored log, for the caller. Kept by the
 * board's room until its doc next changes when the board is loaded here;
 * when nobody holds it here (it is not loaded for a read), kept and shared as
 * a history read is (history-reads.ts), until the log's newest rows change,
 * here or on another instance, and within that read's per-person and
 * per-instance bounds. What it costs counts against what the caller may load
 * a minute (loaded-bytes.ts): the stored log's bytes when their request reads
 * it, else the answer's bytes they are sent; refused before anything is read
 * once that is spent.
 */
async function keptUntilChanged<T>(c: Context<BoardEnv>, kind: LiveReadKind, parameters: string, job: JobName, make: (log: StoredLog) => Promise<T>): Promise<T> {
  const { services, board, principal } = c.var
  const payer = loadingPayer(c, `board ${board.id} read as stored`)
  let loadedHere = false
  // The caller's worker slot is taken before the log is read, and `make`'s job runs in it (WorkerPool.holdingSlot).
  const readAndMake = () =>
    services.workers.holdingSlot(job, async () => {
      const log = await readStoredLog(services.storage, board.id)
      if (log === null) throw notFound('Board')
      loadedHere = true
      payer?.didLoad(logBytes(log.checkpoint, log.updates))
      return make(log)
    })
  const room = services.rooms.loadedRooms.get(board.id)
  const answer = room
    ? await room.readStored(`${kind}:${parameters}`, readAndMake)
    : await services.historyReads.read(principal.userId, { boardId: board.id, kind, parameters }, readAndMake)
  if (!loadedHere) payer?.didLoad(estimatedBytes(answer))
  return answer
}

/** Who makes the change, as the board's history records it. */
export function mutationContext(c: Context<BoardEnv>): MutationContext {
  return { by: c.var.principal.name, origin: serverOrigin(c.var.principal.userId ?? c.var.principal.name) }
}
