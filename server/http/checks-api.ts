/**
 * The analytic checks over HTTP: the findings of the live board, a snapshot or
 * the board at a past time (what the board shows beside each card and the
 * export dialog lists before an export of the same version), and an
 * editor's acknowledgement of a finding with its reason, kept in the board.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { BoardError } from '../../shared/board-doc.ts'
import { readAcknowledgements } from '../../shared/board-convert.ts'
import { acknowledgementInputSchema, acknowledgementSchema } from '../../shared/board-model.ts'
import * as mutations from '../../shared/board-mutations.ts'
import { checksReportSchema } from '../../shared/checks-report.ts'
import { EXPORT_SCOPES } from '../../shared/export-scope.ts'
import { LIMITS } from '../../shared/limits.ts'
import { checkAsOf, checkVersion } from '../export/export-version.ts'
import type { SignedInEnv } from './app-env.ts'
import { asOfParam } from './as-of-query.ts'
import { readVersionAsOf, snapshotOrAsOf } from './board-history-read.ts'
import { boardParams, boardRole, boardRoleUntilAnswered } from './board-role.ts'
import { notFound } from './errors.ts'
import { changeBoard, liveChecks, mutationContext } from './live-board.ts'
import { errorResponses, errorSchema, historyReadResponses, jsonBody, jsonResponse } from './openapi-parts.ts'
import { jsonBytes, jsonText, sendJsonText } from './json-text.ts'
import { validationHook } from './validation-hook.ts'
import { versionRead } from './version-reads.ts'

const errors = { 400: errorResponses[400], 401: errorResponses[401], 403: errorResponses[403], 404: jsonResponse(errorSchema, 'No such board, snapshot or finding.') }

/** Mounted at `/boards/:id`. */
export function checksApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/checks',
      middleware: boardRoleUntilAnswered('reviewer'),
      summary: 'The analytic checks of the live board, a snapshot or the board at a past time, with their acknowledgements',
      request: {
        params: boardParams,
        query: z.object({
          snapshot: z.string().min(1).max(64).optional(),
          /** The board as it was at a past time, from its history: what an export of that time holds. */
          asOf: asOfParam.optional(),
          scope: z.enum(EXPORT_SCOPES).default('all'),
        }),
      },
      responses: { 200: jsonResponse(checksReportSchema, 'The findings, the board’s own first'), ...errors, ...historyReadResponses },
    }),
    async (c) => {
      const { snapshot, asOf, scope } = c.req.valid('query')
      snapshotOrAsOf(snapshot, asOf)
      if (asOf !== undefined) return c.json(await checkAsOf(c.var.services, c.var.board.id, await readVersionAsOf(c, asOf), scope), 200)
      if (snapshot === undefined) return c.json(await liveChecks(c, scope), 200)
      const record = await c.var.services.storage.snapshots.get(c.var.board.id, snapshot)
      if (!record) throw notFound('Snapshot')
      // Named by the snapshot's content and the log's state: what is retracted since depends on the live board.
      const read = { kind: 'snapshot-checks', parameters: JSON.stringify([snapshot, record.contentHash, scope]) } as const
      // Encoded once for every reader while kept: a large board's report is hundreds of kB of JSON.
      const report = await versionRead(c, read, async (loaded) => {
        const checked = await checkVersion(c.var.services, c.var.board.id, snapshot, scope, loaded)
        return checked && jsonBytes(jsonText(checked))
      })
      // Deleted since it was looked up.
      if (!report) throw notFound('Snapshot')
      return sendJsonText(c, report)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/acknowledgements',
      middleware: boardRole('editor'),
      summary: 'Acknowledge a finding that stands on the live board, with the reason (replaces an earlier reason)',
      request: { params: boardParams, body: jsonBody(acknowledgementInputSchema) },
      responses: { 201: jsonResponse(acknowledgementSchema, 'The acknowledgement'), ...errors },
    }),
    async (c) => {
      const boardId = c.var.board.id
      const input = c.req.valid('json')
      // Only a finding that stands on the board as stored can be acknowledged: a key made up or gone stale is refused, not stored.
      // One that goes in the moment before the change lands leaves an inert acknowledgement, as one whose finding goes later does.
      const { findings } = await liveChecks(c, 'all')
      if (!findings.some((finding) => finding.key === input.key && finding.rule === input.rule)) {
        throw new BoardError('not-found', `No finding ${input.key} stands on this board now; read GET /api/boards/${boardId}/checks for the current ones.`)
      }
      const acknowledgement = await changeBoard(c, (doc) => {
        mutations.acknowledgeFinding(doc, input, mutationContext(c))
        return readAcknowledgements(doc).find((a) => a.key === input.key)
      })
      if (!acknowledgement) throw notFound('Acknowledgement')
      return c.json(acknowledgement, 201)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/acknowledgements',
      middleware: boardRole('editor'),
      summary: 'Withdraw the acknowledgement of a finding',
      request: { params: boardParams, query: z.object({ key: z.string().min(1).max(LIMITS.shortText) }) },
      responses: { 204: { description: 'Withdrawn' }, ...errors },
    }),
    async (c) => {
      const { key } = c.req.valid('query')
      await changeBoard(c, (doc) => mutations.withdrawAcknowledgement(doc, key, mutationContext(c)), { evenWhenFull: true })
      return c.body(null, 204)
    },
  )
  return api
}
