/**
 * A version's review status from its sign-offs, in one wording for the board
 * list, the board header, the Snapshot menu, the export dialog and every
 * exported document: each reviewer's latest sign-off counts; changes are
 * requested when any reviewer asked for them, approved when every one approved.
 */
import { z } from 'zod'
import { isolate } from './bidi.ts'
import { reviewSignoffSchema, type ReviewSignoff, type SignoffDecision } from './snapshot-model.ts'

export const REVIEW_STATUSES = ['approved', 'changes-requested', 'not-reviewed'] as const
export type ReviewStatus = (typeof REVIEW_STATUSES)[number]

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  approved: 'Approved',
  'changes-requested': 'Changes requested',
  'not-reviewed': 'Not reviewed',
}

type Signed = { reviewerName: string; decision: SignoffDecision; createdAt: string }

export type ReviewOutcome = { status: ReviewStatus; approvedBy: string[]; changesRequestedBy: string[] }

export function reviewOutcome(signoffs: readonly Signed[]): ReviewOutcome {
  const ordered = [...signoffs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  const by = (decision: SignoffDecision) => ordered.filter((s) => s.decision === decision).map((s) => s.reviewerName)
  const approvedBy = by('approved')
  const changesRequestedBy = by('changes-requested')
  const status: ReviewStatus = changesRequestedBy.length > 0 ? 'changes-requested' : approvedBy.length > 0 ? 'approved' : 'not-reviewed'
  return { status, approvedBy, changesRequestedBy }
}

/**
 * "Changes requested by Rita Reviewer; approved by Ana Petrova." — null when
 * nobody signed. Each name is isolated (shared/bidi.ts): a name ending in a
 * right-to-left override reversed the rest of the sentence after it.
 */
export function reviewSentence(outcome: ReviewOutcome): string | null {
  const names = (reviewers: string[]) => reviewers.map(isolate).join(', ')
  const { approvedBy, changesRequestedBy } = outcome
  const parts = [
    changesRequestedBy.length > 0 ? `Changes requested by ${names(changesRequestedBy)}` : null,
    approvedBy.length > 0 ? `${changesRequestedBy.length > 0 ? 'approved' : 'Approved'} by ${names(approvedBy)}` : null,
  ].filter((part): part is string => part !== null)
  return parts.length === 0 ? null : `${parts.join('; ')}.`
}

/** A sign-off with the snapshot it signs, as the board's sign-offs are read together. */
export const boardSignoffSchema = reviewSignoffSchema.extend({ snapshotLabel: z.string(), snapshotCreatedAt: z.string(), snapshotAsOf: z.string().nullable(), snapshotContentHash: z.string() })
export type BoardSignoff = z.infer<typeof boardSignoffSchema>

/** The review of one snapshot of a board: its status, who signed, and the sign-offs themselves (oldest first). */
export const snapshotReviewStatusSchema = z.object({
  snapshotId: z.string(),
  snapshotLabel: z.string(),
  snapshotCreatedAt: z.string(),
  /** The past moment the snapshot holds the board of, when made of one: the time its review is shown with (`contentTime`). */
  snapshotAsOf: z.string().nullable(),
  /** The content hash of the snapshot signed off: what its review covers. */
  snapshotContentHash: z.string(),
  /** The live board's content is no longer the snapshot's: its review covers an earlier version of the board. */
  changedSince: z.boolean(),
  status: z.enum(REVIEW_STATUSES),
  /** "Approved by Rita Reviewer." */
  statement: z.string(),
  signoffs: z.array(reviewSignoffSchema),
})
export type SnapshotReviewStatus = z.infer<typeof snapshotReviewStatusSchema>

/** A board's review as the header and menus show it: the latest signed-off snapshot's, and every signed-off snapshot's. */
export const boardReviewSchema = z.object({
  /** The newest snapshot anyone has signed off; null when none has been. */
  latest: snapshotReviewStatusSchema.nullable(),
  /** Every signed-off snapshot, newest first. */
  snapshots: z.array(snapshotReviewStatusSchema),
})
export type BoardReview = z.infer<typeof boardReviewSchema>

/**
 * Groups a board's sign-offs by snapshot, newest snapshot first, each saying
 * whether the live board (its content hash) has changed since. Null: it could
 * not be compared now, and reads as changed since, so that a review is never
 * said to cover a board nobody compared with it. `signoffs` come in their
 * snapshots' order, oldest first, as the stores read them: snapshots of one
 * time (dated back together) are ordered by it, the last made newest.
 */
export function boardReview(signoffs: readonly BoardSignoff[], liveContentHash: string | null): BoardReview {
  const bySnapshot = new Map<string, BoardSignoff[]>()
  for (const signoff of signoffs) bySnapshot.set(signoff.snapshotId, [...(bySnapshot.get(signoff.snapshotId) ?? []), signoff])
  const snapshots = [...bySnapshot.values()]
    .reverse()
    .map((group): SnapshotReviewStatus => {
      const first = group[0]!
      const outcome = reviewOutcome(group)
      return {
        snapshotId: first.snapshotId,
        snapshotLabel: first.snapshotLabel,
        snapshotCreatedAt: first.snapshotCreatedAt,
        snapshotAsOf: first.snapshotAsOf,
        snapshotContentHash: first.snapshotContentHash,
        changedSince: liveContentHash !== first.snapshotContentHash,
        status: outcome.status,
        statement: reviewSentence(outcome) ?? 'Not reviewed.',
        signoffs: group
          .map(({ snapshotId, reviewerId, reviewerName, decision, note, createdAt }): ReviewSignoff => ({ snapshotId, reviewerId, reviewerName, decision, note, createdAt }))
          .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)),
      }
    })
    .sort((a, b) => (a.snapshotCreatedAt < b.snapshotCreatedAt ? 1 : a.snapshotCreatedAt > b.snapshotCreatedAt ? -1 : 0))
  return { latest: snapshots[0] ?? null, snapshots }
}
