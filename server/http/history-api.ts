/**
 * A board's history: its editing sessions, the board as of a past time (as a
 * Yjs state for the read-only board view), and who changed which field of an
 * assessment. Reviewers read it as they read the board; every read is audited.
 * `GET /boards/{id}?asOf=`, exports and snapshots of a past time are in the
 * boards, export and snapshot routes.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { formatCount } from '../../shared/format-number.ts'
import { assessmentChangeSchema, boardHistorySchema, CHANGES_TRUNCATED_HEADER } from '../../shared/history-model.ts'
import { MAX_LISTED_VALUE_CHARS } from '../history/newest-changes.ts'
import { namedHistory, readBoardHistory } from '../history/read-history.ts'
import type { SignedInEnv } from './app-env.ts'
import { AS_OF_HEADER, asOfParam } from './as-of-query.ts'
import { auditHistoryRead, historyRead, seeBoardAsOf } from './board-history-read.ts'
import { boardParams, boardRoleUntilAnswered } from './board-role.ts'
import { listChanges } from './change-listing-read.ts'
import { ApiError } from './errors.ts'
import { sendJsonText } from './json-text.ts'
import { errorResponses, historyReadResponses, jsonResponse, workerErrorResponses } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

const DAY_MS = 86_400_000
const time = (what: string) => z.string().datetime({ offset: true, message: `give ${what} as an ISO 8601 time` }).transform((value) => new Date(value).toISOString())

const CHANGES_DESCRIPTION = `Changes, oldest first: the newest \`limit\` of them, fewer when their values pass ${formatCount(MAX_LISTED_VALUE_CHARS)} characters in all; \`${CHANGES_TRUNCATED_HEADER}: true\` when older ones were left out`

/** Mounted at `/boards/:id`. */
export function historyApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/history',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: 'Editing sessions (per person and per few minutes), newest first, and the moments kept from before the detail window',
      request: { params: boardParams, query: z.object({ from: time('from').optional(), to: time('to').optional() }) },
      responses: { 200: jsonResponse(boardHistorySchema, 'The board’s history'), ...errorResponses, ...historyReadResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { services } = c.var
      const asked = c.req.valid('query')
      // Up to now, and the edits carried ahead of this instance's clock within the tolerance (as-of-query.ts, pastTime).
      const to = asked.to ?? new Date(services.clock().getTime() + services.config.HISTORY_CLOCK_TOLERANCE_MS).toISOString()
      const from = asked.from ?? new Date(Date.parse(to) - services.config.HISTORY_DETAIL_DAYS * DAY_MS).toISOString()
      if (from > to) throw new ApiError(400, 'invalid', 'from must be before to.')
      // Named by the query as asked: without `to`, "up to now", which a read in flight with the same newest rows answers.
      const byOrigin = await historyRead(c, 'sessions', JSON.stringify([asked.from ?? null, asked.to ?? null]), () => readBoardHistory(services, id, { from, to }))
      const history = await namedHistory(services, byOrigin)
      auditHistoryRead(c, { read: 'sessions' }, { from, to })
      return c.json(history, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/history/state',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: 'The board as it was at a past time, as one Yjs update, for a read-only board view; the Assay-As-Of header describes the moment',
      request: { params: boardParams, query: z.object({ asOf: asOfParam }) },
      responses: {
        200: {
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
          description: 'Apply with Y.applyUpdate to an empty Y.Doc',
        },
        ...errorResponses,
        ...workerErrorResponses,
        ...historyReadResponses,
      },
    }),
    async (c) => {
      const rebuilt = await seeBoardAsOf(c, c.req.valid('query').asOf)
      return c.body(rebuilt.state.slice().buffer, 200, { 'content-type': 'application/octet-stream', [AS_OF_HEADER]: JSON.stringify(rebuilt.asOf), 'cache-control': 'no-store' })
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/history/changes',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: 'Who changed which field of an assessment, and when: of one assessment, or of the board between two times',
      request: {
        params: boardParams,
        query: z.object({
          assessmentId: z.string().min(1).max(64).optional(),
          from: time('from').optional(),
          to: time('to').optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
        }),
      },
      responses: { 200: jsonResponse(z.array(assessmentChangeSchema), CHANGES_DESCRIPTION), ...errorResponses, ...workerErrorResponses, ...historyReadResponses },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const listing = await listChanges(c, {
        limit: query.limit,
        ...(query.assessmentId === undefined ? {} : { assessmentId: query.assessmentId }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
      })
      auditHistoryRead(c, { read: 'changes' })
      if (!listing.complete) c.header(CHANGES_TRUNCATED_HEADER, 'true')
      return sendJsonText(c, listing.body)
    },
  )

  return api
}
