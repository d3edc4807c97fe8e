/**
 * The review of one snapshot: its threads of comments per assessment, each
 * member's verdict per assessment, and the sign-offs; refreshed while open so
 * several reviewers see each other's entries.
 */
import type { ReviewVerdict } from '../../../shared/domain.ts'
import type { ReviewVerdictRecord, SignoffDecision, SnapshotReview } from '../../../shared/snapshot-model.ts'
import { pollWhileVisible, REVIEW_POLL_MS } from './poll.ts'
import { reviewApi } from './snapshot-api.ts'
import { byAssessment, isOpen, threadsOf, type ReviewThread } from './review-threads.ts'

const NO_THREADS: readonly ReviewThread[] = []
const NO_VERDICTS: readonly ReviewVerdictRecord[] = []

export class SnapshotReviewState {
  readonly boardId: string
  readonly snapshotId: string
  /** The person's own entries are found by this id (the server keys review rows by user id). */
  readonly meId: string
  data = $state.raw<SnapshotReview | null>(null)
  /** The server left this snapshot's older threads out of the listing. */
  truncated = $state(false)
  #asked = 0

  readonly threads: ReviewThread[] = $derived.by(() => {
    const data = this.data
    if (!data) return []
    const { id, label, createdAt } = data.snapshot
    return threadsOf(data.comments, { id, label, createdAt })
  })
  readonly #threadsByAssessment = $derived(byAssessment(this.threads))
  readonly #verdictsByAssessment = $derived.by(() => {
    const grouped = new Map<string, ReviewVerdictRecord[]>()
    for (const verdict of this.data?.verdicts ?? []) {
      const list = grouped.get(verdict.assessmentId)
      if (list) list.push(verdict)
      else grouped.set(verdict.assessmentId, [verdict])
    }
    return grouped
  })
  readonly signoffs = $derived(this.data?.signoffs ?? [])
  readonly mySignoff = $derived(this.signoffs.find((s) => s.reviewerId === this.meId) ?? null)
  /** Loaded and without a comment, verdict or sign-off: the server would let an owner delete the snapshot. */
  readonly unreviewed = $derived(this.data !== null && this.data.comments.length + this.data.verdicts.length + this.data.signoffs.length === 0)

  constructor(boardId: string, snapshotId: string, meId: string) {
    this.boardId = boardId
    this.snapshotId = snapshotId
    this.meId = meId
  }

  threadsOf(assessmentId: string): readonly ReviewThread[] {
    return this.#threadsByAssessment.get(assessmentId) ?? NO_THREADS
  }

  openCount(assessmentId: string): number {
    return this.threadsOf(assessmentId).filter(isOpen).length
  }

  verdictsOf(assessmentId: string): readonly ReviewVerdictRecord[] {
    return this.#verdictsByAssessment.get(assessmentId) ?? NO_VERDICTS
  }

  myVerdict(assessmentId: string): ReviewVerdict | null {
    return this.verdictsOf(assessmentId).find((v) => v.reviewerId === this.meId)?.verdict ?? null
  }

  start(): () => void {
    return pollWhileVisible(() => void this.refresh().catch(() => {}), REVIEW_POLL_MS)
  }

  /** Throws when the review cannot be read; a later poll tries again. */
  async refresh(): Promise<void> {
    const asked = ++this.#asked
    const { listed, truncated } = await reviewApi.review(this.boardId, this.snapshotId)
    if (asked !== this.#asked) return
    this.data = listed
    this.truncated = truncated
  }

  async startThread(assessmentId: string, body: string): Promise<void> {
    await reviewApi.startThread(this.boardId, this.snapshotId, assessmentId, body)
    await this.refresh()
  }

  async reply(thread: ReviewThread, body: string): Promise<void> {
    await reviewApi.reply(this.boardId, this.snapshotId, thread.root.id, body)
    await this.refresh()
  }

  async setResolved(thread: ReviewThread, resolved: boolean): Promise<void> {
    await reviewApi.setResolved(this.boardId, this.snapshotId, thread.root.id, resolved)
    await this.refresh()
  }

  async setVerdict(assessmentId: string, verdict: ReviewVerdict | null): Promise<void> {
    if (verdict) await reviewApi.setVerdict(this.boardId, this.snapshotId, assessmentId, verdict)
    else await reviewApi.withdrawVerdict(this.boardId, this.snapshotId, assessmentId)
    await this.refresh()
  }

  async signOff(decision: SignoffDecision, note: string): Promise<void> {
    await reviewApi.signOff(this.boardId, this.snapshotId, decision, note)
    await this.refresh()
  }
}
