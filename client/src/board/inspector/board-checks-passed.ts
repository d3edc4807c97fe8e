/**
 * What the board's checks say when none of its own is open: only what is
 * true of this board. A board with one hypothesis always has a check open
 * (`lone-hypothesis`), so hypotheses are praised only when there are several.
 */
import type { AssessmentModel } from '../../../../shared/board-model.ts'

/** `assessments` the board's; called only while no board check is open, so any of them means a key judgment is among them. */
export function boardChecksPassed(assessments: readonly Pick<AssessmentModel, 'kind'>[]): string {
  if (assessments.length === 0) return 'Nothing to check yet: the board has no assessments.'
  const hypotheses = assessments.filter((a) => a.kind === 'hypothesis').length
  if (hypotheses < 2) return 'The board has key judgments.'
  return 'The board has key judgments, and its hypotheses are told apart by their evidence.'
}
