/**
 * The live board's unresolved review threads, over all its snapshots, kept
 * fresh while the board is open so analysts see reviewers' comments beside
 * the cards they are about. Replies and resolving happen right here.
 */
import { reviewApi } from './snapshot-api.ts'
import { pollWhileVisible, REVIEW_POLL_MS } from './poll.ts'
import { byAssessment, type ReviewThread } from './review-threads.ts'

const NONE: readonly ReviewThread[] = []

export class OpenThreads {
  readonly boardId: string
  threads = $state.raw<ReviewThread[]>([])
  /** The server left the older open threads out of the listing. */
  truncated = $state(false)
  readonly #byAssessment = $derived(byAssessment(this.threads))
  /** Each refresh is numbered, so an answer that arrives after a newer one is dropped. */
  #asked = 0

  constructor(boardId: string) {
    this.boardId = boardId
  }

  of(assessmentId: string): readonly ReviewThread[] {
    return this.#byAssessment.get(assessmentId) ?? NONE
  }

  /** Polls while the page is visible; returns the cleanup. */
  start(): () => void {
    return pollWhileVisible(() => void this.refresh(), REVIEW_POLL_MS)
  }

  async refresh(): Promise<void> {
    const asked = ++this.#asked
    try {
      const { listed, truncated } = await reviewApi.openThreads(this.boardId)
      if (asked !== this.#asked) return
      this.truncated = truncated
      this.threads = listed.map(({ snapshot, comments: [root, ...replies] }) => ({ root: root!, replies, snapshot }))
    } catch {
      // Offline or a blip: the threads last seen stay, and the next poll tries again.
    }
  }

  async reply(thread: ReviewThread, body: string): Promise<void> {
    await reviewApi.reply(this.boardId, thread.snapshot.id, thread.root.id, body)
    await this.refresh()
  }

  async setResolved(thread: ReviewThread, resolved: boolean): Promise<void> {
    await reviewApi.setResolved(this.boardId, thread.snapshot.id, thread.root.id, resolved)
    await this.refresh()
  }
}
