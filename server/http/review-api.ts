/**
 * Review of snapshots: threads of comments on a snapshot's assessments,
 * each reviewer's verdict per assessment, and sign-off of the snapshot. Any
 * member of the board may read and write review entries (reviewers cannot
 * edit the board itself); the open threads are listed for the live board.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import {
  commentInputSchema,
  commentPatchSchema,
  openThreadSchema,
  reviewCommentSchema,
  reviewSignoffSchema,
  reviewVerdictSchema,
  signoffInputSchema,
  snapshotReviewSchema,
  verdictInputSchema,
} from '../../shared/snapshot-model.ts'
import { boardReview, boardReviewSchema } from '../../shared/review-status.ts'
import { addComment, CommentRefused, setThreadResolved } from '../review/comments.ts'
import { openThreads } from '../review/open-threads.ts'
import { reviewTarget, type ReviewTarget } from '../review/snapshot-assessments.ts'
import { reviewerId } from '../snapshots/actor.ts'
import type { AppEnv } from './app-env.ts'
import { requireBoardRole } from './boards-api.ts'
import { ApiError } from './errors.ts'
import { boardIdParam, errors, json, jsonResponse, snapshotParams } from './snapshot-routes.ts'
import { validationHook } from './validation-hook.ts'

const commentParams = snapshotParams.extend({ commentId: z.string().min(1).max(64) })
const assessmentParams = snapshotParams.extend({ assessmentId: z.string().min(1).max(64) })

/** The snapshot under review, after checking the caller is a member of its board. */
async function target(c: Context<AppEnv>, boardId: string, snapshotId: string): Promise<ReviewTarget> {
  await requireBoardRole(c, boardId, 'reviewer')
  const found = await reviewTarget(c.var.services, boardId, snapshotId)
  if (!found) throw new ApiError(404, 'not_found', `Snapshot ${snapshotId} not found on this board.`)
  return found
}

function requireAssessment(found: ReviewTarget, assessmentId: string): void {
  if (!found.assessmentIds.has(assessmentId)) {
    throw new ApiError(404, 'not_found', `Assessment ${assessmentId} is not in snapshot ${found.snapshot.id}.`)
  }
}

export function reviewApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards/{id}/snapshots/{snapshotId}/review',
      summary: "A snapshot's review: comments, verdicts and sign-offs",
      request: { params: snapshotParams },
      responses: { 200: jsonResponse(snapshotReviewSchema, 'The review'), ...errors },
    }),
    async (c) => {
      const { id, snapshotId } = c.req.valid('param')
      const { snapshot } = await target(c, id, snapshotId)
      const { reviews } = c.var.services.storage
      const [comments, verdicts, signoffs] = await Promise.all([
        reviews.comments(snapshotId),
        reviews.verdicts(snapshotId),
        reviews.signoffs(snapshotId),
      ])
      return c.json({ snapshot, comments, verdicts, signoffs }, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'post',
      path: '/boards/{id}/snapshots/{snapshotId}/comments',
      summary: "Comment on one of the snapshot's assessments, starting a thread or replying in one",
      request: { params: snapshotParams, body: { ...json(commentInputSchema), required: true } },
      responses: { 201: jsonResponse(reviewCommentSchema, 'The new comment'), ...errors },
    }),
    async (c) => {
      const { id, snapshotId } = c.req.valid('param')
      const found = await target(c, id, snapshotId)
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
      path: '/boards/{id}/snapshots/{snapshotId}/comments/{commentId}',
      summary: 'Resolve or reopen the thread a comment belongs to',
      request: { params: commentParams, body: { ...json(commentPatchSchema), required: true } },
      responses: { 200: jsonResponse(reviewCommentSchema, "The thread's first comment after the change"), ...errors },
    }),
    async (c) => {
      const { id, snapshotId, commentId } = c.req.valid('param')
      await target(c, id, snapshotId)
      const { resolved } = c.req.valid('json')
      const root = await setThreadResolved(c.var.services.storage, snapshotId, commentId, resolved, c.var.principal)
      if (!root) throw new ApiError(404, 'not_found', `Comment ${commentId} not found on this snapshot.`)
      return c.json(root, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'put',
      path: '/boards/{id}/snapshots/{snapshotId}/verdicts/{assessmentId}',
      summary: "Give (or change) the caller's verdict on one of the snapshot's assessments",
      request: { params: assessmentParams, body: { ...json(verdictInputSchema), required: true } },
      responses: { 200: jsonResponse(reviewVerdictSchema, 'The verdict'), ...errors },
    }),
    async (c) => {
      const { id, snapshotId, assessmentId } = c.req.valid('param')
      const found = await target(c, id, snapshotId)
      requireAssessment(found, assessmentId)
      const { verdict } = c.req.valid('json')
      const principal = c.var.principal
      const record = {
        snapshotId,
        assessmentId,
        reviewerId: reviewerId(principal),
        reviewerName: principal.name,
        verdict,
        createdAt: new Date().toISOString(),
      }
      await c.var.services.storage.reviews.setVerdict(record)
      return c.json(record, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/boards/{id}/snapshots/{snapshotId}/verdicts/{assessmentId}',
      summary: "Withdraw the caller's verdict on an assessment",
      request: { params: assessmentParams },
      responses: { 204: { description: 'Withdrawn' }, ...errors },
    }),
    async (c) => {
      const { id, snapshotId, assessmentId } = c.req.valid('param')
      await target(c, id, snapshotId)
      const withdrawn = await c.var.services.storage.reviews.deleteVerdict(snapshotId, assessmentId, reviewerId(c.var.principal))
      if (!withdrawn) throw new ApiError(404, 'not_found', `You have no verdict on assessment ${assessmentId} in this snapshot.`)
      return c.body(null, 204)
    },
  )

  api.openapi(
    createRoute({
      method: 'put',
      path: '/boards/{id}/snapshots/{snapshotId}/signoff',
      summary: 'Sign off the snapshot: approved, or changes requested (replaces the caller\'s earlier sign-off)',
      request: { params: snapshotParams, body: { ...json(signoffInputSchema), required: true } },
      responses: { 200: jsonResponse(reviewSignoffSchema, 'The sign-off'), ...errors },
    }),
    async (c) => {
      const { id, snapshotId } = c.req.valid('param')
      await target(c, id, snapshotId)
      const { decision, note } = c.req.valid('json')
      const principal = c.var.principal
      const record = {
        snapshotId,
        reviewerId: reviewerId(principal),
        reviewerName: principal.name,
        decision,
        note,
        createdAt: new Date().toISOString(),
      }
      await c.var.services.storage.reviews.setSignoff(record)
      return c.json(record, 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards/{id}/review/open-threads',
      summary: "The board's unresolved review threads over all its snapshots, to show beside the live board's assessments",
      request: { params: boardIdParam },
      responses: { 200: jsonResponse(z.array(openThreadSchema), 'Open threads, oldest first'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'reviewer')
      return c.json(await openThreads(c.var.services.storage, id), 200)
    },
  )

  api.openapi(
    createRoute({
      method: 'get',
      path: '/boards/{id}/review/status',
      summary: "The board's review status: the newest signed-off snapshot's (approved, changes requested, by whom), and every signed-off snapshot's",
      request: { params: boardIdParam },
      responses: { 200: jsonResponse(boardReviewSchema, 'The review status'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireBoardRole(c, id, 'reviewer')
      return c.json(boardReview(await c.var.services.storage.reviews.boardSignoffs(id)), 200)
    },
  )

  return api
}
