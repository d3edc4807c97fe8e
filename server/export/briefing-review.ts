/**
 * What a director needs to know before signing, besides the judgments: which
 * assessments the export holds, whether the version was reviewed and by whom,
 * what it relied on that has been retracted since, and the analytic checks,
 * open and acknowledged with their reasons.
 */
import { FAULT_FIELD_NAMES, type BoardTextField, type CheckedFinding } from '../../shared/analysis-checks.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { EXPORT_SCOPE_STATEMENTS, type ExportScope } from '../../shared/export-scope.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { retractedSinceStatement } from '../../shared/retracted-since.ts'
import { reviewOutcome, reviewSentence, type ReviewStatus } from '../../shared/review-status.ts'
import { REVIEW_VERDICT_LABELS, SIGNOFF_DECISION_LABELS } from '../../shared/snapshot-model.ts'
import { countOf } from '../../shared/format-number.ts'
import { isolate, quoted } from '../../shared/bidi.ts'
import type { BriefingVerdict, BriefingVersion, LatestReview } from './briefing-version.ts'

export type BriefingReview = {
  status: ReviewStatus
  /** "Approved by Rita Reviewer." */
  statement: string
  /** One line per sign-off: decision, reviewer, DTG and note. */
  signoffs: string[]
}

export type BriefingScope = { kind: ExportScope; statement: string; included: number; total: number }

export type BriefingCheck = {
  /** "3. Wagner forces relocate to Belarus", or "The board". */
  about: string
  label: string
  message: string
  /** Who acknowledged it (if known) and why it stands, when acknowledged. */
  acknowledgement: { by: string | null; reason: string } | null
}

/** "Acknowledged by Ana Petrova: the reason." */
export function acknowledgementText(acknowledgement: NonNullable<BriefingCheck['acknowledgement']>): string {
  return `Acknowledged${acknowledgement.by ? ` by ${isolate(acknowledgement.by)}` : ''}: ${isolate(acknowledgement.reason)}`
}

export type BriefingChecks = { open: BriefingCheck[]; acknowledged: BriefingCheck[] }

export function scopeStatement(scope: ExportScope, included: number, total: number): BriefingScope {
  const count = scope === 'all' ? '' : ` ${included} of ${total} assessments.`
  return { kind: scope, statement: `${EXPORT_SCOPE_STATEMENTS[scope]}${count}`, included, total }
}

/** The version's review: a snapshot's sign-offs (see shared/review-status.ts), or that a live or past board is not reviewed. */
export function reviewOf(version: BriefingVersion): BriefingReview {
  if (version.kind === 'live') {
    const statement = 'Not reviewed: the live board, not a snapshot reviewers have signed off.'
    return { status: 'not-reviewed', statement: version.latestReview ? `${statement} ${latestReviewStatement(version.latestReview, version.hash)}` : statement, signoffs: [] }
  }
  if (version.kind === 'as-of') {
    return { status: 'not-reviewed', statement: 'Not reviewed: the board as it was at a past time, not a snapshot reviewers have signed off.', signoffs: [] }
  }
  const signoffs = [...(version.signoffs ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  const outcome = reviewOutcome(signoffs)
  const statement = reviewSentence(outcome)
  if (statement === null) return { status: 'not-reviewed', statement: `Not reviewed: no reviewer has signed this snapshot off.${verdictsNote(version.verdicts ?? [])}`, signoffs: [] }
  return {
    status: outcome.status,
    statement,
    signoffs: signoffs.map(
      (s) => `${SIGNOFF_DECISION_LABELS[s.decision]}: ${isolate(s.reviewerName)}, ${dateTimeGroup(s.createdAt)}${s.note.trim() ? `: ${isolate(s.note.trim())}` : ''}`,
    ),
  }
}

/**
 * A verdict is a reviewer's view of one assessment, not a sign-off of the snapshot: a snapshot with verdicts and no
 * sign-off is still not reviewed, but the review line says the verdicts are there, so "Not reviewed" never reads as
 * "nobody has looked at it".
 */
function verdictsNote(verdicts: readonly BriefingVerdict[]): string {
  if (verdicts.length === 0) return ''
  const reviewers = new Set(verdicts.map((v) => v.reviewerId)).size
  return ` ${countOf(reviewers, 'reviewer')} gave ${countOf(verdicts.length, 'verdict')} on its assessments, shown with each; a verdict is not a sign-off.`
}

/** A snapshot's verdicts by assessment, oldest first, each worded as a sign-off is: "Strongly disagree: Rita Reviewer, 071200ZDEC26". */
export function verdictsOf(version: BriefingVersion): Map<string, string[]> {
  const byAssessment = new Map<string, string[]>()
  if (version.kind !== 'snapshot') return byAssessment
  const ordered = [...(version.verdicts ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  for (const v of ordered) {
    const line = `${REVIEW_VERDICT_LABELS[v.verdict]}: ${isolate(v.reviewerName)}, ${dateTimeGroup(v.createdAt)}`
    byAssessment.set(v.assessmentId, [...(byAssessment.get(v.assessmentId) ?? []), line])
  }
  return byAssessment
}

/**
 * The board's latest review as a briefing of the live board names it: of which
 * snapshot, and whether the board still holds that snapshot's content, so an
 * approval of an earlier version never reads as an approval of this one.
 */
function latestReviewStatement(latest: LatestReview, liveHash: string): string {
  const which = `The latest review, of snapshot ${quoted(latest.label)} of ${dateTimeGroup(latest.createdAt)}: ${latest.statement}`
  return latest.hash === liveHash
    ? `${which} The board is unchanged since: this is that snapshot’s content.`
    : `${which} The board has changed since: that review does not cover this briefing.`
}

export function retractedSinceOf(version: BriefingVersion): { statement: string; titles: string[] } | null {
  if (version.kind !== 'snapshot' || !version.retractedSince) return null
  const statement = retractedSinceStatement(version.retractedSince)
  return statement ? { statement, titles: version.retractedSince.assessments.map((a) => isolate(a.title)) } : null
}

/** "The board", or the board's text a finding is about: "The board's bottom line up front". */
function boardPart(field: BoardTextField | undefined): string {
  return field ? `The board’s ${FAULT_FIELD_NAMES[field]}` : 'The board'
}

/** The checks of what the briefing holds, named by the briefing's own numbers. */
export function briefingChecks(board: BoardModel, findings: readonly CheckedFinding[], numberOf: (assessmentId: string) => number): BriefingChecks {
  const titles = new Map(board.assessments.map((a) => [a.id, a.title]))
  const checks = findings.map((finding): BriefingCheck => {
    const ack = finding.acknowledgement
    return {
      about: finding.subject.kind === 'board' ? boardPart(finding.subject.field) : `${numberOf(finding.subject.id)}. ${isolate(titles.get(finding.subject.id) ?? '')}`,
      label: finding.label,
      message: finding.message,
      acknowledgement: ack ? { by: ack.createdBy ?? null, reason: ack.reason } : null,
    }
  })
  return { open: checks.filter((c) => c.acknowledgement === null), acknowledged: checks.filter((c) => c.acknowledgement !== null) }
}
