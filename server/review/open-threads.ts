import type { OpenThread, ReviewComment } from '../../shared/snapshot-model.ts'
import type { Storage } from '../storage/storage.ts'

/**
 * The board's unresolved review threads over all its snapshots, for showing
 * beside each assessment on the live board: oldest thread first, each with
 * its first comment, then its replies oldest first, and the snapshot it was
 * made on.
 */
export async function openThreads(storage: Storage, boardId: string): Promise<OpenThread[]> {
  const comments = await storage.reviews.openThreadComments(boardId)
  if (comments.length === 0) return []
  const snapshots = new Map((await storage.snapshots.list(boardId)).map((s) => [s.id, s]))
  const byThread = new Map<string, ReviewComment[]>()
  for (const comment of comments) {
    const rootId = comment.parentId ?? comment.id
    const thread = byThread.get(rootId)
    if (thread) thread.push(comment)
    else byThread.set(rootId, [comment])
  }
  const threads: OpenThread[] = []
  for (const [rootId, thread] of byThread) {
    const root = thread.find((comment) => comment.id === rootId)
    const snapshot = root ? snapshots.get(root.snapshotId) : undefined
    if (!root || !snapshot) continue
    threads.push({
      assessmentId: root.assessmentId,
      snapshot: { id: snapshot.id, label: snapshot.label, createdAt: snapshot.createdAt },
      comments: [root, ...thread.filter((comment) => comment !== root)],
    })
  }
  return threads.sort((a, b) => compareComments(a.comments[0]!, b.comments[0]!))
}

function compareComments(a: ReviewComment, b: ReviewComment): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
