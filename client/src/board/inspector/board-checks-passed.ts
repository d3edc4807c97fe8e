/**
 * What the board's checks say when none of its own is open: only what is
 * true of this board. A board with one hypothesis has nothing for ACH to tell
 * apart, so it is told to add a competing one rather than praised for it.
 */
import { LONE_HYPOTHESIS_NOTE } from '../../../../shared/ach.ts'
import type { AssessmentModel } from '../../../../shared/board-model.ts'

/** `assessments` the board's; called only while no board check is open, so any of them means a key judgment is among them. */
export function boardChecksPassed(assessments: readonly Pick<AssessmentModel, 'kind'>[]): string {
  if (assessments.length === 0) return 'Nothing to check yet: the board has no assessments.'
  const hypotheses = assessments.filter((a) => a.kind === 'hypothesis').length
  if (hypotheses === 0) return 'The board has key judgments.'
  if (hypotheses === 1) return `The board has key judgments. ${LONE_HYPOTHESIS_NOTE}`
  return 'The board has key judgments, and its hypotheses are told apart by their evidence.'
}
