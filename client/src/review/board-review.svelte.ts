/**
 * A board's review status (GET /api/boards/:id/review/status), kept fresh
 * while the board is shown so that a reviewer's sign-off reaches the header,
 * the Snapshot menu and the export dialog without a reload.
 */
import type { BoardReview, SnapshotReviewStatus } from '../../../shared/review-status.ts'
import { api } from '../app/api.ts'
import { pollWhileVisible, REVIEW_POLL_MS } from '../snapshots/poll.ts'

export class BoardReviewStatus {
  review = $state.raw<BoardReview | null>(null)
  #asked = 0

  constructor(readonly boardId: string) {}

  /** The newest signed-off snapshot's review; null until read, or when none is signed off. */
  get latest(): SnapshotReviewStatus | null {
    return this.review?.latest ?? null
  }

  /** One snapshot's review; null when nobody signed it off. */
  of(snapshotId: string): SnapshotReviewStatus | null {
    return this.review?.snapshots.find((s) => s.snapshotId === snapshotId) ?? null
  }

  /** Polls while the page is visible; returns the cleanup. */
  start(): () => void {
    return pollWhileVisible(() => void this.refresh(), REVIEW_POLL_MS)
  }

  async refresh(): Promise<void> {
    const asked = ++this.#asked
    try {
      const review = await api<BoardReview>('GET', `/api/boards/${encodeURIComponent(this.boardId)}/review/status`)
      if (asked === this.#asked) this.review = review
    } catch {
      // Offline or a blip: the status last seen stays, and the next poll tries again.
    }
  }
}
