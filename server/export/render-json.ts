/**
 * The JSON export: the board's content, the board model of the version exported (every key where
 * `GET /api/boards/:id` puts it, so a reader of the model reads the export unchanged), and, under the one key
 * the model never has, `review`, what the version's reviewers said of it: the review line every briefing prints,
 * the sign-offs and the verdicts. The review is kept apart because it is not content: it lives beside a snapshot,
 * not in the board, and a reader of the model (`boardModelSchema`) drops it.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { ReviewVerdict } from '../../shared/domain.ts'
import type { ReviewStatus } from '../../shared/review-status.ts'
import type { SignoffDecision } from '../../shared/snapshot-model.ts'
import { reviewOf } from './briefing-review.ts'
import { isolatesForMachines } from './bidi.ts'
import type { BriefingVersion } from './briefing-version.ts'

/** Times as ISO 8601 (the model's), oldest first; reviewers named as the briefings name them. */
export type JsonReview = {
  status: ReviewStatus
  /** The review line of every briefing: "Approved by Rita Reviewer.", or why the version is not reviewed. */
  statement: string
  signoffs: { reviewer: string; decision: SignoffDecision; note: string; createdAt: string }[]
  /** The verdicts on the assessments the export holds (its scope), as the briefings print them with each. */
  verdicts: { assessmentId: string; reviewer: string; verdict: ReviewVerdict; createdAt: string }[]
}

export type JsonExport = BoardModel & { review: JsonReview }

/** `board` is the model as scoped: the verdicts on assessments the scope leaves out are left out with them. */
export function renderJson(board: BoardModel, version: BriefingVersion): string {
  const { status, statement } = reviewOf(version)
  const held = new Set(board.assessments.map((a) => a.id))
  const oldestFirst = <T extends { createdAt: string }>(items: readonly T[]) => [...items].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  const snapshot = version.kind === 'snapshot' ? version : null
  const review: JsonReview = {
    status,
    statement: isolatesForMachines(statement),
    signoffs: oldestFirst(snapshot?.signoffs ?? []).map((s) => ({ reviewer: s.reviewerName, decision: s.decision, note: s.note, createdAt: s.createdAt })),
    verdicts: oldestFirst(snapshot?.verdicts ?? [])
      .filter((v) => held.has(v.assessmentId))
      .map((v) => ({ assessmentId: v.assessmentId, reviewer: v.reviewerName, verdict: v.verdict, createdAt: v.createdAt })),
  }
  const exported: JsonExport = { ...board, review }
  return `${JSON.stringify(exported, null, 2)}\n`
}
