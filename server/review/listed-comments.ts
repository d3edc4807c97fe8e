/**
 * Which review comments one listing holds: a snapshot's review, or the
 * board's open threads, which every page on the board asks for every 10 s.
 * Reviewers write at most COMMENTS_PER_HOUR_PER_PERSON an hour, but comments
 * are kept for good, so a day of one reviewer's flood (2,880 comments of
 * 20,000 characters) would otherwise be sent, 58 MB, to every page at every
 * poll. A listing holds the newest threads whole, up to COMMENT_LISTING_BOUNDS
 * (2,000 comments and 2 MiB of their bodies); a thread that does not fit
 * is left out and older ones that fit still listed, so one huge thread cannot
 * hide the rest. The choice reads the comments' sizes, never their bodies.
 */
import { COMMENT_LISTING_BOUNDS, type ReviewComment } from '../../shared/snapshot-model.ts'
import type { CommentHead, CommentScope, ReviewStore } from '../storage/storage.ts'

/** The comments listed, oldest first; `complete` is false when threads were left out. */
export type CommentListing = { comments: ReviewComment[]; complete: boolean }

export type ListingBounds = { comments: number; bytes: number }

export async function listComments(reviews: ReviewStore, scope: CommentScope, bounds: ListingBounds = COMMENT_LISTING_BOUNDS): Promise<CommentListing> {
  const { ids, complete } = threadsWithin(await reviews.commentHeads(scope), bounds)
  return { comments: await reviews.commentsByIds(ids), complete }
}

/** The comments of the newest threads (by their first comment) that fit the bounds whole. */
export function threadsWithin(heads: readonly CommentHead[], bounds: ListingBounds): { ids: string[]; complete: boolean } {
  const newestFirst = [...byThread(heads).values()]
    .map((thread) => ({ thread, root: thread.find((head) => head.parentId === null) }))
    .sort((a, b) => newer(a.root, b.root))
  const ids: string[] = []
  let bytes = 0
  let complete = true
  for (const { thread } of newestFirst) {
    const threadBytes = thread.reduce((sum, head) => sum + head.bodyBytes, 0)
    if (ids.length + thread.length > bounds.comments || bytes + threadBytes > bounds.bytes) {
      complete = false
      continue
    }
    for (const head of thread) ids.push(head.id)
    bytes += threadBytes
  }
  return { ids, complete }
}

/** Comments (or their heads) grouped by thread, keyed by the thread's first comment's id, in the order given. */
export function byThread<T extends { id: string; parentId: string | null }>(comments: readonly T[]): Map<string, T[]> {
  const threads = new Map<string, T[]>()
  for (const comment of comments) {
    const rootId = comment.parentId ?? comment.id
    const thread = threads.get(rootId)
    if (thread) thread.push(comment)
    else threads.set(rootId, [comment])
  }
  return threads
}

/** Newest first by the thread's first comment; a thread whose first comment is missing sorts last. */
function newer(a: CommentHead | undefined, b: CommentHead | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0
}
