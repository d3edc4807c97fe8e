/** Pieces every OpenAPI route declares: JSON bodies and the one error shape. */
import { z } from '@hono/zod-openapi'
import { textField } from '../../shared/text-hygiene.ts'
import { AUDIT_ACTIONS } from '../access/audit.ts'

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } })
export const jsonBody = <S extends z.ZodType>(schema: S) => ({ ...json(schema), required: true })
export const jsonResponse = <S extends z.ZodType>(schema: S, description: string) => ({ ...json(schema), description })

export const errorResponses = {
  400: jsonResponse(errorSchema, 'The request was invalid; the message says which field and why.'),
  401: jsonResponse(errorSchema, 'No valid credential.'),
  403: jsonResponse(errorSchema, 'No right to do this.'),
  404: jsonResponse(errorSchema, 'No such board, item, snapshot, account, token or invite (the message says which).'),
  409: jsonResponse(errorSchema, 'The change conflicts with the state as it is.'),
}

/** What a route that hands its work to the worker pool may answer besides its own errors. */
export const workerErrorResponses = {
  422: jsonResponse(errorSchema, 'The work ran past its time or memory bound and was stopped; the message says what to do.'),
  429: jsonResponse(
    errorSchema,
    'The caller already has as many long tasks running or waiting as WORKER_JOBS_PER_PERSON allows (too_many_tasks), or has done this as often as an hourly allowance allows (rate_limited); retry after the Retry-After seconds.',
  ),
  503: jsonResponse(errorSchema, 'The server is busy with other long work (or shutting down); retry after the Retry-After seconds.'),
}

/** A route that reads the board's history (as of a past time, its editing sessions) or a snapshot is also refused by the history reads' limits; spread after workerErrorResponses. */
export const historyReadResponses = {
  429: jsonResponse(
    errorSchema,
    'The caller has as many costly history reads in flight as HISTORY_READS_PER_PERSON allows (too_many_history_reads), or the instance is computing as many as HISTORY_READS_PER_INSTANCE allows, HISTORY_LIVE_READS_PER_INSTANCE for the live board or its checks read while nobody has it open here, or as many of the caller\'s as one person may hold while the rest are kept for others (history_reads_busy); a read of the board as of a past time, also when the caller has made as many this hour as AS_OF_READS_PER_HOUR_PER_PERSON allows (rate_limited); a snapshot read, a snapshot\'s checks, a comparison, an export, a listing of changes or a read of the live board or its checks, also when the caller has loaded as many bytes this minute as LOADED_BYTES_PER_MINUTE_PER_PERSON allows (loading_too_much; a read of the live board while nobody has it open here is a costly read as well); a snapshot\'s checks or a comparison, also when the caller has made as many this hour as VERSION_READS_PER_HOUR_PER_PERSON allows (rate_limited); where the route hands work to the worker pool, also too_many_tasks and rate_limited as there. Retry after the Retry-After seconds.',
  ),
}

/** The import route is also refused by the limit of imports in flight; spread after workerErrorResponses. */
export const importResponses = {
  429: jsonResponse(
    errorSchema,
    'The caller has as many imports in flight as IMPORTS_PER_PERSON allows (too_many_imports), or previews as PREVIEWS_PER_PERSON allows (too_many_previews), or has loaded as many bytes this minute as LOADED_BYTES_PER_MINUTE_PER_PERSON allows (loading_too_much: every import and preview reads the board\'s stored log), or has added as much to boards this hour as WRITTEN_BYTES_PER_HOUR_PER_PERSON allows (written_too_much); also too_many_tasks and worker_time_spent as for any route handing its work to the worker pool. Retry after the Retry-After seconds.',
  ),
}

/** A route whose content never changes (a snapshot's) answers a request naming its ETag with no body (content-tag.ts). */
export const notModifiedResponse = {
  304: { description: "Not modified: If-None-Match named the ETag (the snapshot's content hash); no body." },
}

export const emailSchema = z.string().trim().toLowerCase().email().max(254)
export const nameSchema = textField().trim().min(1).max(200)

export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  boardId: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
})
/** A page of the audit log (AuditPage): walking `before` back from the oldest id of each page reaches every entry, however many are added meanwhile. */
export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'Only entries older than this one (an entry id): give the oldest id of the page before to read the next' }),
  action: z.enum(AUDIT_ACTIONS).optional().openapi({ description: 'Only entries of this action, e.g. export' }),
})
