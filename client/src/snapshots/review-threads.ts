/** Review comments as threads: a first comment and its replies, resolved or open. */
import type { ReviewComment } from '../../../shared/snapshot-model.ts'

export type ReviewThread = {
  /** The thread's first comment: replies name it, and resolving is kept on it. */
  root: ReviewComment
  replies: ReviewComment[]
  snapshot: { id: string; label: string; createdAt: string }
}

export const isOpen = (thread: ReviewThread) => thread.root.resolvedAt === null

/** Comments arrive oldest first; a reply's parentId names its thread's first comment. */
export function threadsOf(comments: readonly ReviewComment[], snapshot: ReviewThread['snapshot']): ReviewThread[] {
  const threads = new Map<string, ReviewThread>()
  for (const comment of comments) if (comment.parentId === null) threads.set(comment.id, { root: comment, replies: [], snapshot })
  for (const comment of comments) if (comment.parentId !== null) threads.get(comment.parentId)?.replies.push(comment)
  return [...threads.values()]
}

export function byAssessment(threads: readonly ReviewThread[]): Map<string, ReviewThread[]> {
  const grouped = new Map<string, ReviewThread[]>()
  for (const thread of threads) {
    const list = grouped.get(thread.root.assessmentId)
    if (list) list.push(thread)
    else grouped.set(thread.root.assessmentId, [thread])
  }
  return grouped
}
