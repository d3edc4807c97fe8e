/**
 * Which assessments an export holds, by review status: a director may want the
 * final judgments only, or those in review too, and never a draft by mistake.
 * The filter is one pure function of the board model, so every format (and the
 * checks listed before an export) agrees on what is in it.
 */
import type { BoardModel } from './board-model.ts'
import type { AssessmentStatus } from './domain.ts'

export const EXPORT_SCOPES = ['all', 'in-review', 'final'] as const
export type ExportScope = (typeof EXPORT_SCOPES)[number]

export const EXPORT_SCOPE_STATUSES: Record<ExportScope, readonly AssessmentStatus[]> = {
  all: ['draft', 'in-review', 'final'],
  'in-review': ['in-review', 'final'],
  final: ['final'],
}

/** As the export dialog offers them. */
export const EXPORT_SCOPE_LABELS: Record<ExportScope, string> = {
  all: 'All assessments, drafts included',
  'in-review': 'In review and final',
  final: 'Final only',
}

/** As a briefing states what it holds. */
export const EXPORT_SCOPE_STATEMENTS: Record<ExportScope, string> = {
  all: 'All assessments, drafts included.',
  'in-review': 'Assessments in review and final only; drafts left out.',
  final: 'Final assessments only; drafts and assessments in review left out.',
}

export function isExportScope(value: string): value is ExportScope {
  return (EXPORT_SCOPES as readonly string[]).includes(value)
}

/** The board with only the assessments the scope takes, and only their links. Claims and sources stay: they are the record. */
export function scopeBoard(board: BoardModel, scope: ExportScope): BoardModel {
  if (scope === 'all') return board
  const statuses = EXPORT_SCOPE_STATUSES[scope]
  const assessments = board.assessments.filter((a) => statuses.includes(a.status))
  const kept = new Set(assessments.map((a) => a.id))
  const { setAsideLinks, ...rest } = board
  const setAside = setAsideLinks?.filter((l) => kept.has(l.assessmentId)) ?? []
  return { ...rest, assessments, links: board.links.filter((l) => kept.has(l.assessmentId)), ...(setAside.length > 0 ? { setAsideLinks: setAside } : {}) }
}
