/** The `asOf` query parameter: a past time, read once here for every route that takes it. */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AsOfLog } from '../history/as-of-log.ts'
import type { BoardAsOfResult } from '../history/read-history.ts'
import type { AppEnv } from './app-env.ts'
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
 * Refuses a time still to come: the board's history only reaches now, give or
 * take HISTORY_CLOCK_TOLERANCE_MS, the most by which it is carried ahead of
 * this instance's clock (another instance's a little ahead): a time within it
 * reads the board as it is now.
 */
export function pastTime<E extends AppEnv>(c: Context<E>, asOf: string): string {
  const { clock, config } = c.var.services
  if (Date.parse(asOf) > clock().getTime() + config.HISTORY_CLOCK_TOLERANCE_MS) throw new ApiError(400, 'invalid', `asOf ${asOf} is in the future; give a time up to now.`)
  return asOf
}

/** The rebuilt board, or the error that says why there is none. */
export function keptAsOf<T extends AsOfLog | BoardAsOfResult>(result: T | null): Extract<T, { kind: 'kept' | 'rebuilt' }> {
  if (result === null) throw notFound('Board')
  if (result.kind === 'before-board') throw new ApiError(404, 'not_found', `The board did not exist yet at that time: it was created at ${result.createdAt}.`)
  if (result.kind === 'not-kept') throw new ApiError(404, 'history_not_kept', `The board's history before ${result.keptFrom} is no longer kept (see HISTORY_RETENTION_DAYS and HISTORY_MAX_MB); ask for a later time.`)
  return result as Extract<T, { kind: 'kept' | 'rebuilt' }>
}
