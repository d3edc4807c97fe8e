/** The `asOf` query parameter: a past time, read once here for every route that takes it. */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AsOfLog } from '../history/as-of-log.ts'
import type { BoardAsOfResult } from '../history/read-history.ts'
import { asOfPosition } from '../history/as-of-position.ts'
import type { BoardEnv } from './app-env.ts'
import { ApiError, notFound } from './errors.ts'

/** The header that describes the moment a state or model is of (JSON of AsOf). */
export const AS_OF_HEADER = 'Assay-As-Of'

const MESSAGE = 'give asOf as an ISO 8601 time, e.g. 2026-11-28T14:00:00Z'

/** An ISO 8601 time with its offset, read as the UTC time it names. */
export const asOfParam = z
  .string({ error: MESSAGE })
  .datetime({ offset: true, message: MESSAGE })
  .transform((value) => new Date(value).toISOString())
  .openapi({ description: 'A past time (ISO 8601): the board as it was then, from its history', example: '2026-11-28T14:00:00Z' })

/**
 * The time a read of the board as of `asOf` reads, and is told as: a time up
 * to now is itself. One still to come within HISTORY_CLOCK_TOLERANCE_MS (the
 * most by which the board's history is carried ahead of this instance's
 * clock: another instance's a little ahead, a clock stepped back a little)
 * reads the board as it is now, and is told as the moment read: now, or the
 * time of the newest edit it holds when the history is carried past now. Kept
 * as asked, an export said "as it was at" a time not yet come, a snapshot
 * stored it as the moment of its content and STIX dated objects in the future
 * (red team 40b, finding 7). Further ahead it is refused.
 */
export async function pastTime(c: Context<BoardEnv>, asOf: string): Promise<string> {
  const { clock, config, storage } = c.var.services
  const now = clock()
  if (Date.parse(asOf) > now.getTime() + config.HISTORY_CLOCK_TOLERANCE_MS) throw new ApiError(400, 'invalid', `asOf ${asOf} is in the future; give a time up to now.`)
  const read = now.toISOString()
  if (asOf <= read) return asOf
  const newest = await asOfPosition(storage.history, c.var.board.id, asOf)
  const carried = newest === null ? null : await storage.history.rowFrom(c.var.board.id, newest)
  return carried && carried.at > read && carried.at <= asOf ? carried.at : read
}

/** The rebuilt board, or the error that says why there is none. */
export function keptAsOf<T extends AsOfLog | BoardAsOfResult>(result: T | null): Extract<T, { kind: 'kept' | 'rebuilt' }> {
  if (result === null) throw notFound('Board')
  if (result.kind === 'before-board') throw new ApiError(404, 'not_found', `The board did not exist yet at that time: it was created at ${result.createdAt}.`)
  if (result.kind === 'not-kept') throw new ApiError(404, 'history_not_kept', `The board's history before ${result.keptFrom} is no longer kept (see HISTORY_RETENTION_DAYS and HISTORY_MAX_MB); ask for a later time.`)
  return result as Extract<T, { kind: 'kept' | 'rebuilt' }>
}
