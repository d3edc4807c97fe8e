/**
 * What a director needs to know before signing, besides the judgments: which
 * assessments the export holds, whether the version was reviewed and by whom,
 * what it relied on that has been retracted since, and the analytic checks,
 * open and acknowledged with their reasons.
 */
import type { CheckedFinding } from '../../shared/analysis-checks.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { EXPORT_SCOPE_STATEMENTS, type ExportScope } from '../../shared/export-scope.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { retractedSinceStatement } from '../../shared/retracted-since.ts'
import { SIGNOFF_DECISION_LABELS } from '../../shared/snapshot-model.ts'
import type { BriefingSignoff, BriefingVersion } from './briefing-version.ts'

export type ReviewStatus = 'approved' | 'changes-requested' | 'not-reviewed'

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
  return `Acknowledged${acknowledgement.by ? ` by ${acknowledgement.by}` : ''}: ${acknowledgement.reason}`
}

export type BriefingChecks = { open: BriefingCheck[]; acknowledged: BriefingCheck[] }

export function scopeStatement(scope: ExportScope, included: number, total: number): BriefingScope {
  const count = scope === 'all' ? '' : ` ${included} of ${total} assessments.`
  return { kind: scope, statement: `${EXPORT_SCOPE_STATEMENTS[scope]}${count}`, included, total }
}

/**
 * A reviewer's sign-off is their latest; the version is approved when every
 * reviewer who signed approved it, and changes are requested when any asked.
 */
export function reviewOf(version: BriefingVersion): BriefingReview {
  if (version.kind === 'live') {
    return { status: 'not-reviewed', statement: 'Not reviewed: the live board, not a snapshot reviewers have signed off.', signoffs: [] }
  }
  if (version.kind === 'as-of') {
    return { status: 'not-reviewed', statement: 'Not reviewed: the board as it was at a past time, not a snapshot reviewers have signed off.', signoffs: [] }
  }
  const signoffs = [...(version.signoffs ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  if (signoffs.length === 0) return { status: 'not-reviewed', statement: 'Not reviewed: no reviewer has signed this snapshot off.', signoffs: [] }
  const by = (decision: BriefingSignoff['decision']) => signoffs.filter((s) => s.decision === decision).map((s) => s.reviewerName)
  const requested = by('changes-requested')
  const approved = by('approved')
  const statement = [
    requested.length > 0 ? `Changes requested by ${requested.join(', ')}` : null,
    approved.length > 0 ? `${requested.length > 0 ? 'approved' : 'Approved'} by ${approved.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join('; ')
  return {
    status: requested.length > 0 ? 'changes-requested' : 'approved',
    statement: `${statement}.`,
    signoffs: signoffs.map(
      (s) => `${SIGNOFF_DECISION_LABELS[s.decision]}: ${s.reviewerName}, ${dateTimeGroup(s.createdAt)}${s.note.trim() ? `: ${s.note.trim()}` : ''}`,
    ),
  }
}

export function retractedSinceOf(version: BriefingVersion): { statement: string; titles: string[] } | null {
  if (version.kind !== 'snapshot' || !version.retractedSince) return null
  const statement = retractedSinceStatement(version.retractedSince)
  return statement ? { statement, titles: version.retractedSince.assessments.map((a) => a.title) } : null
}

/** The checks of what the briefing holds, named by the briefing's own numbers. */
export function briefingChecks(board: BoardModel, findings: readonly CheckedFinding[], numberOf: (assessmentId: string) => number): BriefingChecks {
  const titles = new Map(board.assessments.map((a) => [a.id, a.title]))
  const checks = findings.map((finding): BriefingCheck => {
    const ack = finding.acknowledgement
    return {
      about: finding.subject.kind === 'board' ? 'The board' : `${numberOf(finding.subject.id)}. ${titles.get(finding.subject.id) ?? ''}`,
      label: finding.label,
      message: finding.message,
      acknowledgement: ack ? { by: ack.createdBy ?? null, reason: ack.reason } : null,
    }
  })
  return { open: checks.filter((c) => c.acknowledgement === null), acknowledged: checks.filter((c) => c.acknowledgement !== null) }
}
