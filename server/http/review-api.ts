/**
 * Review of snapshots: threads of comments on a snapshot's assessments,
 * each reviewer's verdict per assessment, and sign-off of the snapshot. Any
 * member of the board may read and write review entries (reviewers cannot
 * edit the board itself); the open threads are listed for the live board.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import {
  COMMENT_LISTING_WORDS,
  commentInputSchema,
  commentPatchSchema,
  openThreadSchema,
  reviewCommentSchema,
  reviewSignoffSchema,
  reviewVerdictSchema,
  signoffInputSchema,
  snapshotReviewSchema,
  THREADS_TRUNCATED_HEADER,
  verdictInputSchema,
} from '../../shared/snapshot-model.ts'
import { boardReview, boardReviewSchema } from '../../shared/review-status.ts'
import { addComment, CommentRefused, setThreadResolved } from '../review/comments.ts'
import { listComments } from '../review/listed-comments.ts'
import { openThreads } from '../review/open-threads.ts'
import { reviewTarget, type ReviewTarget } from '../review/snapshot-assessments.ts'
import { reviewerId, reviewerStamp } from '../snapshots/actor.ts'
import { spendAllowance } from './allowance.ts'
import type { BoardEnv, SignedInEnv } from './app-env.ts'
import { boardParams, boardRole, roleStillHeld, snapshotParams } from './board-role.ts'
import { ApiError } from './errors.ts'
import { liveHashFor } from './live-hash-for.ts'
import { errorResponses, errorSchema, jsonBody, jsonResponse } from './openapi-parts.ts'
import { validationHook } from './validation-hook.ts'

/** What a listing of comments says of its bounds. */
const THREADS_LISTED = (what: string) =>
  `${what}: the newest threads whole, up to ${COMMENT_LISTING_WORDS}; \`${THREADS_TRUNCATED_HEADER}: true\` when older ones were left out`

const commentParams = snapshotParams.extend({ commentId: z.string().min(1).max(64) })
const assessmentParams = snapshotParams.extend({ assessmentId: z.string().min(1).max(64) })

/** The snapshot under review on the route's board (any member may review: every route needs the reviewer role). */
async function target(c: Context<BoardEnv>, snapshotId: string): Promise<ReviewTarget> {
  const found = await reviewTarget(c.var.services, c.var.board.id, snapshotId)
  if (!found) throw new ApiError(404, 'not_found', `Snapshot ${snapshotId} not found on this board.`)
  return found
}

/**
 * The snapshot a review entry is written on. Reading it may take a worker
 * thread's while, so the caller's role is decided again after it (a board
 * deleted only after that is refused by storage: see isReferenceGone).
 */
async function writableTarget(c: Context<BoardEnv>, snapshotId: string): Promise<ReviewTarget> {
  const found = await target(c, snapshotId)
  await roleStillHeld(c)
  return found
}

function requireAssessment(found: ReviewTarget, assessmentId: string): void {
  if (!found.assessmentIds.has(assessmentId)) {
    throw new ApiError(404, 'not_found', `Assessment ${assessmentId} is not in snapshot ${found.snapshot.id}.`)
  }
}

/** Mounted at `/boards/:id`. */
export function reviewApi(): OpenAPIHono<SignedInEnv> {
  const api = new OpenAPIHono<SignedInEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/snapshots/{snapshotId}/review',
      middleware: boardRole('reviewer'),
      summary: "A snapshot's review: comments, verdicts and sign-offs",
      request: { params: snapshotParams },
      responses: { 200: jsonResponse(snapshotReviewSchema, THREADS_LISTED('The review')), ...errorResponses },
    }),
    async (c) => {
      const { snapshotId } = c.req.valid('param')
      const { snapshot } = await target(c, snapshotId)
      const { reviews } = c.var.services.storage
      const [listing, verdicts, signoffs] = await Promise.all([
        listComments(reviews, { snapshotId }),
        reviews.verdicts(snapshotId),
        reviews.signoffs(snapshotId),
      ])
      if (!listing.complete) c.header(THREADS_TRUNCATED_HEADER, 'true')
      return c.json({ snapshot, comments: listing.comments, verdicts, signoffs }, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/snapshots/{snapshotId}/comments',
      middleware: boardRole('reviewer'),
      summary: "Comment on one of the snapshot's assessments, starting a thread or replying in one",
      request: { params: snapshotParams, body: jsonBody(commentInputSchema) },
      responses: {
        201: jsonResponse(reviewCommentSchema, 'The new comment'),
        ...errorResponses,
        429: jsonResponse(errorSchema, 'Written as many comments as COMMENTS_PER_HOUR_PER_PERSON allows for now; Retry-After says when to try again'),
      },
    }),
    async (c) => {
      const { snapshotId } = c.req.valid('param')
      await spendAllowance(c.var.services.allowances.comments, c.var.principal, 'written as many comments')
      const found = await writableTarget(c, snapshotId)
      try {
        return c.json(await addComment(c.var.services.storage, found, c.req.valid('json'), c.var.principal), 201)
      } catch (error) {
        if (error instanceof CommentRefused) throw new ApiError(400, 'invalid', `Invalid json: ${error.message}`)
        throw error
      }
    },
  )

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/snapshots/{snapshotId}/comments/{commentId}',
      middleware: boardRole('reviewer'),
      summary: 'Resolve or reopen the thread a comment belongs to',
      request: { params: commentParams, body: jsonBody(commentPatchSchema) },
      responses: { 200: jsonResponse(reviewCommentSchema, "The thread's first comment after the change"), ...errorResponses },
    }),
    async (c) => {
      const { snapshotId, commentId } = c.req.valid('param')
      await writableTarget(c, snapshotId)
      const { resolved } = c.req.valid('json')
      const root = await setThreadResolved(c.var.services.storage, snapshotId, commentId, resolved, c.var.principal)
      if (!root) throw new ApiError(404, 'not_found', `Comment ${commentId} not found on this snapshot.`)
      return c.json(root, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'put',
      path: '/snapshots/{snapshotId}/verdicts/{assessmentId}',
      middleware: boardRole('reviewer'),
      summary: "Give (or change) the caller's verdict on one of the snapshot's assessments",
      request: { params: assessmentParams, body: jsonBody(verdictInputSchema) },
      responses: { 200: jsonResponse(reviewVerdictSchema, 'The verdict'), ...errorResponses },
    }),
    async (c) => {
      const { snapshotId, assessmentId } = c.req.valid('param')
      const found = await writableTarget(c, snapshotId)
      requireAssessment(found, assessmentId)
      const { verdict } = c.req.valid('json')
      const record = { snapshotId, assessmentId, verdict, ...reviewerStamp(c.var.principal) }
      await c.var.services.storage.reviews.setVerdict(record)
      return c.json(record, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/snapshots/{snapshotId}/verdicts/{assessmentId}',
      middleware: boardRole('reviewer'),
      summary: "Withdraw the caller's verdict on an assessment",
      request: { params: assessmentParams },
      responses: { 204: { description: 'Withdrawn' }, ...errorResponses },
    }),
    async (c) => {
      const { snapshotId, assessmentId } = c.req.valid('param')
      await writableTarget(c, snapshotId)
      const withdrawn = await c.var.services.storage.reviews.deleteVerdict(snapshotId, assessmentId, reviewerId(c.var.principal))
      if (!withdrawn) throw new ApiError(404, 'not_found', `You have no verdict on assessment ${assessmentId} in this snapshot.`)
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'put',
      path: '/snapshots/{snapshotId}/signoff',
      middleware: boardRole('reviewer'),
      summary: 'Sign off the snapshot: approved, or changes requested (replaces the caller\'s earlier sign-off)',
      request: { params: snapshotParams, body: jsonBody(signoffInputSchema) },
      responses: { 200: jsonResponse(reviewSignoffSchema, 'The sign-off'), ...errorResponses },
    }),
    async (c) => {
      const { snapshotId } = c.req.valid('param')
      await writableTarget(c, snapshotId)
      const { decision, note } = c.req.valid('json')
      const record = { snapshotId, decision, note, ...reviewerStamp(c.var.principal) }
      await c.var.services.storage.reviews.setSignoff(record)
      return c.json(record, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/review/open-threads',
      middleware: boardRole('reviewer'),
      summary: "The board's unresolved review threads over all its snapshots, to show beside the live board's assessments",
      request: { params: boardParams },
      responses: { 200: jsonResponse(z.array(openThreadSchema), THREADS_LISTED('Open threads, oldest first')), ...errorResponses },
    }),
    async (c) => {
      const { threads, complete } = await openThreads(c.var.services.storage, c.var.board.id)
      if (!complete) c.header(THREADS_TRUNCATED_HEADER, 'true')
      return c.json(threads, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/review/status',
      middleware: boardRole('reviewer'),
      summary: "The board's review status: the newest signed-off snapshot's (approved, changes requested, by whom), and every signed-off snapshot's",
      request: { params: boardParams },
      responses: { 200: jsonResponse(boardReviewSchema, 'The review status'), ...errorResponses },
    }),
    async (c) => {
      const id = c.var.board.id
      const { services, principal } = c.var
      const [signoffs, liveHash] = await Promise.all([services.storage.reviews.boardSignoffs([id]), liveHashFor(services, principal, id)])
      return c.json(boardReview(signoffs.get(id) ?? [], liveHash), 200)
    },
  )

  return api
}
