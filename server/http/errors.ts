/**
 * One error shape for every API failure: `{ error: { code, message } }`, where
 * the message says what was wrong and what to do.
 */
import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { BatchError } from '../../shared/board-batch.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { BoardError } from '../../shared/board-doc.ts'
import { ImportError, type ImportErrorKind } from '../../shared/import/import-error.ts'
import { UPGRADE_REFUSED } from '../../shared/protocol.ts'
import { BoardDeleted, BoardFull, BoardReloading, ChangeBrokeDocument, CommitsFailing, RoomUnloaded } from '../relay/commit-errors.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { SnapshotQuotaReached } from '../snapshots/snapshot-quota.ts'
import { WrittenTooMuch } from '../relay/written-budget.ts'
import { PasswordChecksBusy } from '../auth/password-checks.ts'
import { CommitOutcomeUnknown, isReferenceGone, storageTroubleOf, TurnLost, type StorageTrouble } from '../storage/storage-errors.ts'
import { WorkerJobError, type JobRefusal } from '../workers/worker-errors.ts'
import { BriefingTooLarge } from '../export/briefing-size.ts'

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Sent as Retry-After: when the same request can succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(status, { message })
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found.`)
export const forbidden = (message = 'You do not have the rights for this on this board.') => new ApiError(403, 'forbidden', message)
/** A body of a media type its route does not take: refused before it is read (body-limits.ts, and the routes' own check). */
export const unsupportedMediaType = () =>
  new ApiError(
    415,
    'unsupported_media_type',
    'Send the body as JSON (Content-Type: application/json); only an import also takes a multipart form (multipart/form-data) with its file. /api/openapi.json lists what each route takes.',
  )
export const unauthorized = () => new ApiError(401, 'unauthorized', 'Sign in, or send an API token as "Authorization: Bearer <token>".')

const BOARD_ERROR_STATUS = { invalid: 400, 'not-found': 404, conflict: 409 } as const
const IMPORT_ERROR_STATUS: Partial<Record<ImportErrorKind, ContentfulStatusCode>> = { 'too-large': 413, 'unsupported-type': 415 }

export function errorBody(code: string, message: string) {
  return { error: { code, message } }
}

/** How long a client or load balancer is asked to wait before trying again while the server cannot serve. */
export const RETRY_AFTER_SECONDS = 5

type Unavailable = StorageTrouble | 'outcome-unknown' | 'commits-failing' | 'board-reloading' | 'turn-lost' | 'shutting-down' | 'shut-down-unsaved' | 'held-unspooled' | 'held-share-spent'

const UNAVAILABLE_MESSAGES: Record<Unavailable, string> = {
  unreachable: 'The database is not answering, so this request could not be completed. Try again in a few seconds.',
  refusing: 'The database cannot take this request right now (it may be full or busy). Try again in a few seconds.',
  'outcome-unknown':
    'The database connection dropped as this change was being committed, and the database could not be asked since whether it was: it may or may not be stored. Reload (read what is stored) in a few seconds, and send it again only if it is missing.',
  'commits-failing':
    'This board’s latest changes cannot be saved right now (the database refuses writes; it may be full), so it cannot be read or changed here until they are. Nothing of this request was applied, and the live editors keep their changes. Try again in a few seconds.',
  'board-reloading':
    'This board is being loaded again from storage: another change left its document in an unknown state. Nothing of this request was applied; what was saved before is kept. Try again in a few seconds.',
  'turn-lost':
    'This import or restore lost its turn on the board before it was saved (the database ended the session holding it), and another may have changed the board meanwhile, so nothing of it was made. Send it again: it is worked out afresh on the board as it is now.',
  'shutting-down': 'This server is shutting down. Try again in a few seconds.',
  'shut-down-unsaved':
    'This server shut down before your change was known to be saved: it may or may not be stored. Reload (read what is stored) in a few seconds, and make the change again only if it is missing.',
  'held-unspooled':
    'Your change was made on this server but is not saved yet (the database is slow or refusing writes), and it could not be kept where a restart of the server would find it: it may or may not be stored. It is saved should the database take it before this server restarts. Reload (read what is stored) in a few minutes, and make the change again only if it is missing.',
  'held-share-spent':
    'Your change was made on this server but is not saved yet (the database is slow or refusing writes), and your share of the room this server keeps for such changes is taken by your earlier ones (HELD_CHANGES_PERSON_SHARE_PERCENT), so it could not be kept where a restart of the server would find it: it may or may not be stored. It is saved should the database take it before this server restarts. Reload (read what is stored) in a few minutes, and make the change again only if it is missing.',
}

/** Nobody reads it: the client has gone. Logged and counted as a reverse proxy would (nginx's "client closed request"). */
const CLIENT_CLOSED = 499 as ContentfulStatusCode

/**
 * Over a time or memory bound the request's own content is the cost, so asking again
 * will not help (4xx); a full queue or a shutdown passes, so those say when to retry.
 */
const WORKER_REFUSALS: Record<JobRefusal, { status: ContentfulStatusCode; code: string; retryAfterSeconds?: number }> = {
  busy: { status: 503, code: 'busy', retryAfterSeconds: RETRY_AFTER_SECONDS },
  'too-many-own': { status: 429, code: 'too_many_tasks', retryAfterSeconds: RETRY_AFTER_SECONDS },
  // Its Retry-After comes with the refusal: when the person's worker time will have refilled.
  'worker-time-spent': { status: 429, code: 'worker_time_spent' },
  closed: { status: 503, code: 'shutting_down', retryAfterSeconds: RETRY_AFTER_SECONDS },
  'over-time': { status: 422, code: 'over_time_budget' },
  // The same answer as the overrun it remembers, given at once.
  'overran-before': { status: 422, code: 'over_time_budget' },
  cancelled: { status: CLIENT_CLOSED, code: 'cancelled' },
  'out-of-memory': { status: 422, code: 'over_memory_budget' },
  'stack-overflow': { status: 422, code: 'too_complex' },
  failed: { status: 503, code: 'worker_failed', retryAfterSeconds: 1 },
}

/** 503 with Retry-After: the server cannot serve now, and the same request can succeed later. */
export function serviceUnavailable(c: Context, why: Unavailable): Response {
  c.header('Retry-After', String(RETRY_AFTER_SECONDS))
  return c.json(errorBody(UNAVAILABLE_CODES[why], UNAVAILABLE_MESSAGES[why]), 503)
}

const UNAVAILABLE_CODES: Record<Unavailable, string> = {
  unreachable: 'storage_unavailable',
  refusing: 'storage_unavailable',
  'outcome-unknown': 'outcome_unknown',
  'commits-failing': 'commits_failing',
  'board-reloading': 'board_reloading',
  'turn-lost': 'turn_lost',
  'shutting-down': 'shutting_down',
  // Not shutting_down, which a client may resend at once: the change may be stored.
  'shut-down-unsaved': 'outcome_unknown',
  'held-unspooled': 'outcome_unknown',
  'held-share-spent': 'outcome_unknown',
}

/** The budget refills over the hour: a small change fits again within a minute or so. */
const WRITTEN_TOO_MUCH_RETRY_SECONDS = 60
const WRITTEN_TOO_MUCH_MESSAGE =
  'You have added as much to boards as one person may in an hour on this server (WRITTEN_BYTES_PER_HOUR_PER_PERSON); nothing of this change was made. Try again later.'

/** A check takes some 40 ms: a place is free again well within a second. */
const PASSWORD_CHECKS_BUSY_RETRY_SECONDS = 1
const PASSWORD_CHECKS_BUSY_MESSAGE = 'The server is checking as many passwords as it does at once; nothing was counted against you. Try again in a second.'

/**
 * 202, not 503: the change is made and will be saved, and asking again now would make it twice. Its file in the
 * held-changes spool is written and fsynced before this is sent, so a restart of this server before the database
 * takes it stores it at the next start (held-change-replay.ts); an instance that never comes back takes it with it.
 */
export const SAVING_DELAYED_MESSAGE =
  'Your change was made but is not saved yet: the database is slow or refusing writes. It is kept on this server’s disk and saved with the board’s other changes as soon as the database takes them, or when this server next starts should it restart before then. Do not send it again now: check the board later, and send it again only if it is missing.'

/** 422, not 503: the board's content makes this change fail, so sending it again fails again (and reloads the board again for everyone on it). */
const CHANGE_BROKE_DOCUMENT_MESSAGE =
  'This change could not be applied: it left the board’s document in an unknown state, so nothing of it was saved and the board was loaded again from storage. Sending it again would fail the same way; the server’s log names the cause.'

const REFERENCE_GONE_MESSAGE =
  'Not found: the board, or what this request refers to on it, was deleted while this request was served, and nothing of the request was applied.'

/**
 * Whether `error` is the request's own connection failing, which reading its
 * body passes on: a client resetting it mid-body fails the read with Node's
 * ECONNRESET, the code a database connection reset has too.
 */
function isClientConnectionError(error: Error, c: Context): boolean {
  const failed = (c.env as Partial<HttpBindings> | undefined)?.incoming?.errored
  if (!failed) return false
  let cause: unknown = error
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++, cause = cause.cause) if (cause === failed) return true
  return false
}

export function handleError(error: Error, c: Context): Response {
  // Before storage trouble: the client's reset is no sign of the database's, and must not set it probed.
  if (isClientConnectionError(error, c)) {
    c.get('logger')?.debug({ path: c.req.path, err: error.message }, 'the client closed its connection before its request was read')
    return c.json(errorBody('cancelled', 'The connection closed before the request was read.'), CLIENT_CLOSED)
  }
  if (error instanceof CommitOutcomeUnknown) {
    c.get('services')?.storageHealth.noteFailure(error)
    c.get('logger')?.warn({ path: c.req.path, err: errorMessage(error.cause) }, 'a change whose commit may or may not be stored; answered 503')
    return serviceUnavailable(c, 'outcome-unknown')
  }
  const storageTrouble = storageTroubleOf(error)
  if (storageTrouble) {
    c.get('services')?.storageHealth.noteFailure(error)
    c.get('logger')?.warn({ path: c.req.path, ...storageTrouble }, 'storage unavailable; answered 503')
    return serviceUnavailable(c, storageTrouble.trouble)
  }
  if (isReferenceGone(error)) {
    c.get('logger')?.warn({ path: c.req.path, err: error.message }, 'a write referred to a row deleted meanwhile; answered 404')
    return c.json(errorBody('not_found', REFERENCE_GONE_MESSAGE), 404)
  }
  if (error instanceof CommitsFailing) {
    c.get('logger')?.warn({ path: c.req.path, err: error.message }, 'board commits failing; answered 503')
    return serviceUnavailable(c, 'commits-failing')
  }
  if (error instanceof TurnLost) {
    c.get('logger')?.warn({ path: c.req.path, err: error.message }, 'a change whose board turn was lost; answered 503')
    return serviceUnavailable(c, 'turn-lost')
  }
  if (error instanceof BoardReloading) {
    c.get('logger')?.warn({ path: c.req.path, err: error.message }, 'board being reloaded; answered 503')
    return serviceUnavailable(c, 'board-reloading')
  }
  if (error instanceof RoomUnloaded) {
    c.get('logger')?.warn({ path: c.req.path, err: error.message }, 'board unloaded as the server shuts down; answered 503')
    return serviceUnavailable(c, error.applied ? 'shut-down-unsaved' : 'shutting-down')
  }
  if (error instanceof ChangeBrokeDocument) return c.json(errorBody('change_failed', CHANGE_BROKE_DOCUMENT_MESSAGE), 422)
  if (error instanceof LoadingTooMuch) {
    c.header('Retry-After', String(RETRY_AFTER_SECONDS))
    return c.json(errorBody('loading_too_much', UPGRADE_REFUSED.loadingTooMuch.message), 429)
  }
  if (error instanceof PasswordChecksBusy) {
    c.header('Retry-After', String(PASSWORD_CHECKS_BUSY_RETRY_SECONDS))
    return c.json(errorBody('password_checks_busy', PASSWORD_CHECKS_BUSY_MESSAGE), 503)
  }
  if (error instanceof WrittenTooMuch) {
    c.header('Retry-After', String(WRITTEN_TOO_MUCH_RETRY_SECONDS))
    return c.json(errorBody('written_too_much', WRITTEN_TOO_MUCH_MESSAGE), 429)
  }
  if (error instanceof BoardFull) return c.json(errorBody('board_full', error.message), 409)
  if (error instanceof SnapshotQuotaReached) return c.json(errorBody('snapshot_quota', error.message), 409)
  if (error instanceof BoardDamaged) {
    // Worker jobs apply a stored state without its board's id: the route's board (boardRole's, app-env.ts) is the one.
    const routeBoard = (c.var as { board?: { id: string } }).board
    const damage = error.boardId === null && routeBoard ? error.ofBoard(routeBoard.id) : error
    c.get('services')?.damagedBoards.refused(damage, c.req.path)
    // No Retry-After: the same request fails the same way until an operator repairs the board.
    return c.json(errorBody('board_damaged', damage.advice), 503)
  }
  if (error instanceof BoardDeleted) return c.json(errorBody('not_found', 'Board not found: it was deleted while this request was served, and nothing of the request was applied.'), 404)
  if (error instanceof ApiError) {
    if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds))
    return c.json(errorBody(error.code, error.message), error.status)
  }
  // A refused operation of a batch is also named by its index, for a script to point at.
  if (error instanceof BatchError) return c.json({ error: { code: error.kind, message: error.message, index: error.index } }, BOARD_ERROR_STATUS[error.kind])
  if (error instanceof BoardError) return c.json(errorBody(error.code, error.message), BOARD_ERROR_STATUS[error.kind])
  if (error instanceof ImportError) return c.json(errorBody(error.kind, error.message), IMPORT_ERROR_STATUS[error.kind] ?? 400)
  if (error instanceof BriefingTooLarge) return c.json(errorBody('briefing_too_large', error.message), 422)
  if (error instanceof WorkerJobError) {
    const { status, code, retryAfterSeconds = error.retryAfterSeconds } = WORKER_REFUSALS[error.refusal]
    if (retryAfterSeconds !== undefined) c.header('Retry-After', String(retryAfterSeconds))
    return c.json(errorBody(code, error.message), status)
  }
  // The routes' own check of the media type (@hono/zod-openapi's) refuses with a bare 415: it says what to send, as ours does.
  if (error instanceof HTTPException && error.status === 415) return handleError(unsupportedMediaType(), c)
  if (error instanceof HTTPException) return c.json(errorBody('http_error', error.message || 'Request refused.'), error.status)
  c.get('logger')?.error({ err: error.message, stack: error.stack, path: c.req.path }, 'unhandled error')
  return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged. Try again.'), 500)
}
