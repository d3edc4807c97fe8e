/**
 * Snapshots and review as the API sends them: the one definition of each shape,
 * for the server's routes, its OpenAPI document and the client.
 */
import { z } from 'zod'
import { REVIEW_VERDICTS, type ReviewVerdict } from './domain.ts'
import { formatBytes, formatCount } from './format-number.ts'
import { LIMITS } from './limits.ts'
import { textField } from './text-hygiene.ts'

/** named: made by a person; auto: made by the timer; restore: the state a restore replaced. */
export const SNAPSHOT_KINDS = ['named', 'auto', 'restore'] as const
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number]

export const SIGNOFF_DECISIONS = ['approved', 'changes-requested'] as const
export type SignoffDecision = (typeof SIGNOFF_DECISIONS)[number]

export const SIGNOFF_DECISION_LABELS: Record<SignoffDecision, string> = {
  approved: 'Approved',
  'changes-requested': 'Changes requested',
}

export const REVIEW_VERDICT_LABELS: Record<ReviewVerdict, string> = {
  'strongly-disagree': 'Strongly disagree',
  disagree: 'Disagree',
  neutral: 'Neutral',
  agree: 'Agree',
  'strongly-agree': 'Strongly agree',
}

/** The `to` (or `from`) of a diff that means the board as it is now. */
export const LIVE = 'live'

const id = z.string().min(1).max(64)

export const snapshotSummarySchema = z.object({
  id: z.string(),
  boardId: z.string(),
  label: z.string(),
  kind: z.enum(SNAPSHOT_KINDS),
  /** SHA-256 (hex) of the canonical JSON of the snapshot's board model. */
  contentHash: z.string(),
  authorId: z.string().nullable(),
  authorName: z.string(),
  /** When it was made. */
  createdAt: z.string(),
  previousId: z.string().nullable(),
  /** The past moment it holds the board of, when made of one; null when made of the live board (its content is of `createdAt`). */
  asOf: z.string().nullable(),
})
export type SnapshotSummary = z.infer<typeof snapshotSummarySchema>

/** The moment a snapshot's content is of: the past moment it was made of, or when it was made. */
export function contentTime(snapshot: { createdAt: string; asOf: string | null }): string {
  return snapshot.asOf ?? snapshot.createdAt
}

export const createSnapshotSchema = z
  .object({
    label: textField().trim().min(1).max(LIMITS.shortText),
    /** Snapshot the board as it was at this past time (ISO 8601), from its history, rather than as it is now. */
    asOf: z
      .string()
      .datetime({ offset: true, message: 'give asOf as an ISO 8601 time, e.g. 2026-11-28T14:00:00Z' })
      .transform((value) => new Date(value).toISOString())
      .optional(),
  })
  .strict()

export const restoreResultSchema = z.object({
  /** False when the live board already equalled the snapshot: nothing was changed or recorded. */
  changed: z.boolean(),
  /** The automatic snapshot of the board as it was before the restore. */
  before: snapshotSummarySchema.nullable(),
})
export type RestoreResult = z.infer<typeof restoreResultSchema>

/** One side of a diff: a snapshot, or the live board at the moment it was read. */
export const versionRefSchema = z.union([
  z.object({ kind: z.literal('snapshot'), id: z.string(), label: z.string(), createdAt: z.string(), asOf: z.string().nullable(), contentHash: z.string() }),
  z.object({ kind: z.literal('live'), at: z.string(), contentHash: z.string() }),
])
export type VersionRef = z.infer<typeof versionRefSchema>

export const reviewCommentSchema = z.object({
  id: z.string(),
  snapshotId: z.string(),
  boardId: z.string(),
  assessmentId: z.string(),
  /** The thread's first comment; null for that first comment itself. */
  parentId: z.string().nullable(),
  authorId: z.string(),
  authorName: z.string(),
  body: z.string(),
  createdAt: z.string(),
  /** Set on a thread's first comment when the thread is resolved. */
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
})
export type ReviewComment = z.infer<typeof reviewCommentSchema>

export const reviewVerdictSchema = z.object({
  snapshotId: z.string(),
  assessmentId: z.string(),
  reviewerId: z.string(),
  reviewerName: z.string(),
  verdict: z.enum(REVIEW_VERDICTS),
  createdAt: z.string(),
})
export type ReviewVerdictRecord = z.infer<typeof reviewVerdictSchema>

export const reviewSignoffSchema = z.object({
  snapshotId: z.string(),
  reviewerId: z.string(),
  reviewerName: z.string(),
  decision: z.enum(SIGNOFF_DECISIONS),
  note: z.string(),
  createdAt: z.string(),
})
export type ReviewSignoff = z.infer<typeof reviewSignoffSchema>

export const snapshotReviewSchema = z.object({
  snapshot: snapshotSummarySchema,
  /** Oldest first; a reply's parentId names its thread's first comment. */
  comments: z.array(reviewCommentSchema),
  verdicts: z.array(reviewVerdictSchema),
  signoffs: z.array(reviewSignoffSchema),
})
export type SnapshotReview = z.infer<typeof snapshotReviewSchema>

export const commentInputSchema = z
  .object({
    /** Required for a new thread; a reply takes its thread's assessment. */
    assessmentId: id.optional(),
    /** The comment replied to; the reply joins that comment's thread. */
    parentId: id.optional(),
    body: textField().trim().min(1).max(LIMITS.longText),
  })
  .strict()
  .refine((input) => input.assessmentId !== undefined || input.parentId !== undefined, {
    message: 'give assessmentId to start a thread, or parentId to reply',
    path: ['assessmentId'],
  })

export const commentPatchSchema = z.object({ resolved: z.boolean() }).strict()

export const verdictInputSchema = z.object({ verdict: z.enum(REVIEW_VERDICTS) }).strict()

export const signoffInputSchema = z
  .object({ decision: z.enum(SIGNOFF_DECISIONS), note: textField().trim().max(LIMITS.longText).default('') })
  .strict()

/** An open thread on the live board: its comments, oldest first, and the snapshot it was made on. */
/** What one listing of review comments holds at most: the newest threads whole (server/review/listed-comments.ts). */
export const COMMENT_LISTING_BOUNDS = { comments: 2_000, bytes: 2 * 1024 * 1024 } as const
/** Those bounds in words. */
export const COMMENT_LISTING_WORDS = `${formatCount(COMMENT_LISTING_BOUNDS.comments)} comments or ${formatBytes(COMMENT_LISTING_BOUNDS.bytes)} of text`
/** Set to `true` on a listing of review comments that left older threads out. */
export const THREADS_TRUNCATED_HEADER = 'Assay-Threads-Truncated'

export const openThreadSchema = z.object({
  assessmentId: z.string(),
  snapshot: z.object({ id: z.string(), label: z.string(), createdAt: z.string() }),
  comments: z.array(reviewCommentSchema),
})
export type OpenThread = z.infer<typeof openThreadSchema>
