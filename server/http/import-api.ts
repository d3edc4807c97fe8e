/**
 * `POST /api/boards/:id/import`: a source document as JSON text or as an
 * uploaded file (multipart), previewed or imported as one change.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { shortTextSchema } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { textField } from '../../shared/text-hygiene.ts'
import { importDocument } from '../import/import-document.ts'
import type { SignedInEnv } from './app-env.ts'
import { countedServerClientId } from './allowance.ts'
import { boardParams, boardRole, rightStillHeld, rightToAnswerHeld } from './board-role.ts'
import { isJsonMediaType, mediaTypeOf } from './body-limits.ts'
import { importResponses, workerErrorResponses } from './openapi-parts.ts'
import { ApiError, notFound } from './errors.ts'
import { validationHook } from './validation-hook.ts'

const textBody = z
  .object({
    text: textField().max(LIMITS.maxDocumentBytes),
    title: shortTextSchema.optional(),
    preview: z.boolean().default(false),
  })
  .strict()

const fileBody = z.object({
  file: z.instanceof(File).openapi({ type: 'string', format: 'binary' }),
  title: shortTextSchema.optional(),
  preview: z.enum(['true', 'false']).default('false'),
})

const planned = z.object({
  title: z.string(),
  outcome: z.enum(['import', 'already-imported', 'nothing-new']),
  sources: z.array(z.object({ name: z.string(), id: z.string().nullable() })),
  claims: z.array(z.object({ text: z.string(), sourceName: z.string(), paragraph: z.number(), start: z.number(), end: z.number(), id: z.string().nullable() })),
})

/** Mounted at `/boards/:id`. */
export function importApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })
  api.openapi(
    createRoute({
      method: 'post',
      path: '/import',
      middleware: boardRole('editor'),
      summary: 'Import a source document: one claim per cited sentence (or preview what would be created)',
      request: {
        params: boardParams,
        body: {
          content: { 'application/json': { schema: textBody }, 'multipart/form-data': { schema: fileBody } },
          // Not "required": with two media types, a required body is validated as both; this way each
          // request is validated as the type it says it is, and any other type is refused below.
          required: false,
        },
      },
      responses: {
        200: { content: { 'application/json': { schema: planned.passthrough() } }, description: 'The preview, or what was imported' },
        400: { description: 'Empty text, no citation, not UTF-8, HTML nested too deep, a form too complex, …: the message says what to do' },
        ...workerErrorResponses,
        ...importResponses,
        404: { description: 'No such board' },
        413: { description: 'The document is over the size limit' },
        415: { description: 'Not a .txt, .md or .html file' },
      },
    }),
    async (c) => {
      const id = c.var.board.id
      const mediaType = mediaTypeOf(c)
      const isForm = mediaType === 'multipart/form-data'
      if (!isForm && !isJsonMediaType(mediaType)) {
        throw new ApiError(415, 'unsupported-type', 'Send JSON {"text": "…"} or a multipart form with a "file" field (.txt, .md or .html).')
      }
      const body = isForm ? c.req.valid('form') : c.req.valid('json')
      // The file's type, size and encoding are checked in the worker thread that reads it.
      const request =
        'file' in body
          ? {
              document: { file: { name: body.file.name, type: body.file.type, bytes: new Uint8Array(await body.file.arrayBuffer()) } },
              title: body.title,
              preview: body.preview === 'true',
            }
          : { document: { text: body.text }, title: body.title, preview: body.preview }
      const { services, principal } = c.var
      const imported = () => importDocument(services, id, request, principal, rightStillHeld(c))
      // Counted apart: a preview changes nothing and is not applied, but reads the board's whole log as an import does.
      const result = request.preview
        ? await services.previewsInFlight.run(principal.userId, imported)
        : await countedServerClientId(services.allowances, principal, () => services.importsInFlight.run(principal.userId, imported), (made) => made?.outcome === 'import')
      if (!result) throw notFound('Board')
      // A preview is planned on the board as it is, in a worker thread: it is sent only while its editor may still change
      // the board. An import made was checked right before it was applied (`rightStillHeld`): it is answered as made.
      if (request.preview) await rightToAnswerHeld(c)()
      return c.json(result, 200)
    },
  )
  return api
}
