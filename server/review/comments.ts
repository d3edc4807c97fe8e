/**
 * Review threads on a snapshot's assessments: a thread is its first comment
 * and the replies that name it as parent; resolving is a property of the
 * thread, kept on its first comment.
 */
import type { z } from 'zod'
import type { Principal } from '../access/access.ts'
import type { commentInputSchema, ReviewComment } from '../../shared/snapshot-model.ts'
import { reviewerId } from '../snapshots/actor.ts'
import type { Storage } from '../storage/storage.ts'
import type { ReviewTarget } from './snapshot-assessments.ts'
import { timeOrderedId } from './time-ordered-id.ts'

export type CommentInput = z.output<typeof commentInputSchema>

/** Why a comment was refused: which field, and what was wrong with it. */
export class CommentRefused extends Error {
  override name = 'CommentRefused'
}

export async function addComment(storage: Storage, target: ReviewTarget, input: CommentInput, author: Principal): Promise<ReviewComment> {
  const { snapshot } = target
  let assessmentId = input.assessmentId
  let parentId: string | null = null
  if (input.parentId !== undefined) {
    const parent = await storage.reviews.getComment(snapshot.id, input.parentId)
    if (!parent) throw new CommentRefused(`parentId: no comment ${input.parentId} on this snapshot`)
    if (assessmentId !== undefined && assessmentId !== parent.assessmentId) {
      throw new CommentRefused(`assessmentId: the comment replied to is on assessment ${parent.assessmentId}, not ${assessmentId}`)
    }
    assessmentId = parent.assessmentId
    // A reply to a reply joins the same thread: threads are one level deep.
    parentId = parent.parentId ?? parent.id
  }
  if (assessmentId === undefined || !target.assessmentIds.has(assessmentId)) {
    throw new CommentRefused(`assessmentId: no assessment ${assessmentId ?? ''} in this snapshot`)
  }
  const comment: ReviewComment = {
    id: timeOrderedId(),
    snapshotId: snapshot.id,
    boardId: snapshot.boardId,
    assessmentId,
    parentId,
    authorId: reviewerId(author),
    authorName: author.name,
    body: input.body,
    createdAt: new Date().toISOString(),
    resolvedAt: null,
    resolvedBy: null,
  }
  await storage.reviews.addComment(comment)
  return comment
}

/** Resolves (or reopens) the thread the comment belongs to; the thread's first comment after the change, or null if there is no such comment. */
export async function setThreadResolved(
  storage: Storage,
  snapshotId: string,
  commentId: string,
  resolved: boolean,
  by: Principal,
): Promise<ReviewComment | null> {
  const comment = await storage.reviews.getComment(snapshotId, commentId)
  if (!comment) return null
  const rootId = comment.parentId ?? comment.id
  const updated = await storage.reviews.setResolved(snapshotId, rootId, resolved ? { at: new Date().toISOString(), by: by.name } : null)
  return updated ?? null
}
