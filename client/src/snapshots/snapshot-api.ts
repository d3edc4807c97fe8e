/** The snapshot, diff and review routes of the server (README, "Snapshots and review"), typed with the shared shapes. */
import type { BoardDiff } from '../../../shared/board-diff.ts'
import type { BoardModel } from '../../../shared/board-model.ts'
import type { ReviewVerdict } from '../../../shared/domain.ts'
import {
  type OpenThread,
  type RestoreResult,
  type ReviewComment,
  type ReviewSignoff,
  type ReviewVerdictRecord,
  type SignoffDecision,
  type SnapshotReview,
  type SnapshotSummary,
  THREADS_TRUNCATED_HEADER,
  type VersionRef,
} from '../../../shared/snapshot-model.ts'
import { api, fetchResponse } from '../app/api.ts'
import { patiently, type Patience } from '../app/busy-retry.ts'

/** What GET /diff answers: the two versions compared and what changed from the first to the second. */
export type DiffResult = { from: VersionRef; to: VersionRef; empty: boolean; diff: BoardDiff }

/** A listing of review comments, and whether the server left older threads out of it. */
async function listing<T>(path: string): Promise<{ listed: T; truncated: boolean }> {
  const response = await fetchResponse(path)
  return { listed: (await response.json()) as T, truncated: response.headers.get(THREADS_TRUNCATED_HEADER) === 'true' }
}

const board = (boardId: string) => `/api/boards/${encodeURIComponent(boardId)}`
const snapshot = (boardId: string, snapshotId: string) => `${board(boardId)}/snapshots/${encodeURIComponent(snapshotId)}`

export const snapshotApi = {
  list: (boardId: string) => api<SnapshotSummary[]>('GET', `${board(boardId)}/snapshots`),
  make: (boardId: string, label: string) => api<SnapshotSummary>('POST', `${board(boardId)}/snapshots`, { label }),
  summary: (boardId: string, snapshotId: string) => api<SnapshotSummary>('GET', `${snapshot(boardId, snapshotId)}/summary`),
  model: (boardId: string, snapshotId: string) => api<BoardModel>('GET', snapshot(boardId, snapshotId)),
  /** The snapshot's whole board document as one Yjs update. */
  state: (boardId: string, snapshotId: string, patience: Patience): Promise<Uint8Array> =>
    patiently(async () => {
      const response = await fetchResponse(`${snapshot(boardId, snapshotId)}/state`)
      return new Uint8Array(await response.arrayBuffer())
    }, patience),
  restore: (boardId: string, snapshotId: string) => api<RestoreResult>('POST', `${snapshot(boardId, snapshotId)}/restore`),
  /** Owners; refused (409) for a snapshot with review data. */
  remove: (boardId: string, snapshotId: string) => api<null>('DELETE', snapshot(boardId, snapshotId)),
  /** `from` and `to` are snapshot ids or LIVE. */
  diff: (boardId: string, from: string, to: string, patience: Patience) =>
    patiently(() => api<DiffResult>('GET', `${board(boardId)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`), patience),
}

export const reviewApi = {
  review: (boardId: string, snapshotId: string) => listing<SnapshotReview>(`${snapshot(boardId, snapshotId)}/review`),
  startThread: (boardId: string, snapshotId: string, assessmentId: string, body: string) =>
    api<ReviewComment>('POST', `${snapshot(boardId, snapshotId)}/comments`, { assessmentId, body }),
  reply: (boardId: string, snapshotId: string, parentId: string, body: string) =>
    api<ReviewComment>('POST', `${snapshot(boardId, snapshotId)}/comments`, { parentId, body }),
  setResolved: (boardId: string, snapshotId: string, commentId: string, resolved: boolean) =>
    api<ReviewComment>('PATCH', `${snapshot(boardId, snapshotId)}/comments/${encodeURIComponent(commentId)}`, { resolved }),
  setVerdict: (boardId: string, snapshotId: string, assessmentId: string, verdict: ReviewVerdict) =>
    api<ReviewVerdictRecord>('PUT', `${snapshot(boardId, snapshotId)}/verdicts/${encodeURIComponent(assessmentId)}`, { verdict }),
  withdrawVerdict: (boardId: string, snapshotId: string, assessmentId: string) =>
    api<null>('DELETE', `${snapshot(boardId, snapshotId)}/verdicts/${encodeURIComponent(assessmentId)}`),
  signOff: (boardId: string, snapshotId: string, decision: SignoffDecision, note: string) =>
    api<ReviewSignoff>('PUT', `${snapshot(boardId, snapshotId)}/signoff`, { decision, note }),
  openThreads: (boardId: string) => listing<OpenThread[]>(`${board(boardId)}/review/open-threads`),
}
