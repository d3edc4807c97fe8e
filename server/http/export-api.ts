/** `GET /api/boards/:id/export?format=…[&snapshot=…]`: the briefing as a download. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { EXPORT_SCOPES } from '../../shared/export-scope.ts'
import { EXPORT_FORMATS } from '../../shared/export-formats.ts'
import { auditedFailure, exportVersion } from '../export/export-version.ts'
import type { SignedInEnv } from './app-env.ts'
import { givenBackOnFailure, spendAllowance } from './allowance.ts'
import { asOfParam } from './as-of-query.ts'
import { readVersionAsOf, snapshotOrAsOf } from './board-history-read.ts'
import { boardParams, boardRole, rightToAnswerHeld } from './board-role.ts'
import { errorSchema, historyReadResponses, jsonResponse, workerErrorResponses } from './openapi-parts.ts'
import { notFound } from './errors.ts'
import { validationHook } from './validation-hook.ts'
import { exportReading } from './version-reads.ts'

/** Mounted at `/boards/:id`. */
export function exportApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })
  api.openapi(
    createRoute({
      method: 'get',
      path: '/export',
      // Reviewers may export: a briefing is how a reviewed version leaves the board.
      middleware: boardRole('reviewer'),
      summary: 'Export the live board, a snapshot or the board at a past time as a briefing (DOCX, PDF, Markdown, HTML), a STIX 2.1 bundle or JSON (the board model, with the version\'s review under its own key, `review`)',
      request: {
        params: boardParams,
        query: z.object({
          format: z.enum(EXPORT_FORMATS),
          snapshot: z.string().min(1).max(64).optional(),
          /** The board as it was at a past time, from its history. */
          asOf: asOfParam.optional(),
          /** Which assessments by review status: all, in-review (and final), final. */
          scope: z.enum(EXPORT_SCOPES).default('all'),
        }),
      },
      responses: {
        200: { description: 'The file, with a file name of the board title and the date-time group' },
        400: { description: 'Unknown format' },
        ...workerErrorResponses,
        ...historyReadResponses,
        422: jsonResponse(
          errorSchema,
          `${workerErrorResponses[422].description} Also a briefing (DOCX, PDF, Markdown, HTML) holding more text than BRIEFING_MAX_CHARS, refused before it is rendered (briefing_too_large, naming its size and the limit).`,
        ),
        404: { description: 'No such board or snapshot' },
      },
    }),
    async (c) => {
      const id = c.var.board.id
      const { format, snapshot, asOf, scope } = c.req.valid('query')
      snapshotOrAsOf(snapshot, asOf)
      // Each export is an audit entry: a loop of them (376 a second on a small board) would fill the disk with the log.
      await spendAllowance(c.var.services.allowances.exports, c.var.principal, 'exported as many times')
      // A refusal before any work (a bound in flight, its loaded bytes, no such snapshot, the same export found too large
      // or overrunning before) cost nothing and writes nothing: it gives the allowance back. One refused after its work
      // (its briefing too large, past its time budget) is audited, so it spends it as an export made does: 200 rounds of a
      // tiny edit and a too-large export wrote 201 audit rows against an allowance of 5 (red team). Its work was also
      // charged where it was done (the board's read to LOADED_BYTES_PER_MINUTE_PER_PERSON, the thread's time to
      // WORKER_SECONDS_PER_HOUR_PER_PERSON), and the same export is then refused at once until what it reads changes.
      const givingBack = { onlyFor: (error: unknown) => auditedFailure(error) === undefined }
      const file = await givenBackOnFailure(c.var.services.allowances.exports, c.var.principal, async () => {
        const past = asOf === undefined ? undefined : await readVersionAsOf(c, asOf)
        const request = { boardId: id, format, snapshotId: snapshot, scope, asOf: past }
        // The file is sent only while its person may still read the board: one removed meanwhile gets their refusal.
        const made = await exportVersion(c.var.services, request, c.var.principal, exportReading(c, snapshot), rightToAnswerHeld(c))
        if (!made) throw notFound(snapshot ? 'Snapshot' : 'Board')
        return made
      }, givingBack)
      return c.body(file.body, 200, {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.fileName}"`,
        'cache-control': 'no-store',
      })
    },
  )
  return api
}
