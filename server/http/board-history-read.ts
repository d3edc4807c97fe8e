/** A route's costly read of its board's history, counted against its caller and the instance (history-reads.ts). */
import type { Context } from 'hono'
import { readAsOfLog, type AsOfLog } from '../history/read-history.ts'
import type { BoardEnv } from './app-env.ts'
import type { HistoryReadKind } from './history-reads.ts'

/** The caller's read of their board's history, within the limits. */
export function historyRead<T>(c: Context<BoardEnv>, kind: HistoryReadKind, parameters: string, compute: () => Promise<T>): Promise<T> {
  return c.var.services.historyReads.read(c.var.principal.userId, { boardId: c.var.board.id, kind, parameters }, compute)
}

/** The stored pieces of the board as of `asOf`, for an export or a snapshot of that time to rebuild in a worker thread. */
export function readLogAsOf(c: Context<BoardEnv>, asOf: string): Promise<AsOfLog | null> {
  return historyRead(c, 'log-as-of', asOf, () => readAsOfLog(c.var.services, c.var.board.id, asOf))
}
