import type { OpenThread, ReviewComment } from '../../shared/snapshot-model.ts'
import type { SnapshotRecord, Storage } from '../storage/storage.ts'
import { byThread, listComments } from './listed-comments.ts'

/**
 * The board's unresolved review threads over all its snapshots, for showing
 * beside each assessment on the live board: oldest thread first, each with
 * its first comment, then its replies oldest first, and the snapshot it was
 * made on; the newest of them a listing holds (listed-comments.ts), and
 * `complete` false when older ones were left out.
 */
export async function openThreads(storage: Storage, boardId: string): Promise<{ threads: OpenThread[]; complete: boolean }> {
  const { comments, complete } = await listComments(storage.reviews, { openOnBoard: boardId })
  if (comments.length === 0) return { threads: [], complete }
  return { threads: threadsOf(comments, await storage.snapshots.list(boardId)), complete }
}

function threadsOf(comments: ReviewComment[], snapshotList: SnapshotRecord[]): OpenThread[] {
  const snapshots = new Map(snapshotList.map((s) => [s.id, s]))
  const threads: OpenThread[] = []
  for (const [rootId, thread] of byThread(comments)) {
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
