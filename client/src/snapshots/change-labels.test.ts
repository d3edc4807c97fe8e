/**
 * A card's changes as the snapshot comparison lists them (shownCardFields):
 * a likelihood needing restatement in the words it was stated in, flagged,
 * never the board's; a restatement on the likelihood's row, never the
 * record's raw key.
 */
import { describe, expect, it } from 'vitest'
import type { AssessmentModel } from '../../../shared/board-model.ts'
import { diffBoards } from '../../../shared/board-diff.ts'
import { shownCardFields } from './change-labels.ts'

const card = (likelihood: AssessmentModel['likelihood'], likelihoodYardstick: AssessmentModel['likelihoodYardstick'], confidence: AssessmentModel['confidence'] = 'low'): AssessmentModel => ({
  id: 'a1',
  title: 'Talks resume',
  judgment: '',
  kind: 'assessment',
  likelihood,
  ...(likelihoodYardstick ? { likelihoodYardstick } : {}),
  confidence,
  impact: null,
  status: 'draft',
  tags: [],
  order: 'a0',
  createdAt: '2026-12-01T10:00:00.000Z',
})

const fieldsOf = (from: AssessmentModel, to: AssessmentModel) => {
  const board = (assessment: AssessmentModel) =>
    ({ id: 'b', title: 'B', marking: 'TLP:CLEAR', question: '', profile: 'phia', schemaVersion: 1, sources: [], documents: [], claims: [], assessments: [assessment], links: [] }) as never
  return diffBoards(board(from), board(to), false).assessments.changed[0]!
}

describe('shownCardFields', () => {
  it('shows a band needing restatement in its stated words, flagged', () => {
    const change = fieldsOf(card(4, 'phia'), card(5, 'icd203', 'high'))
    expect(shownCardFields(change, { from: 'phia', to: 'phia' })).toEqual([
      { field: 'likelihood', label: 'likelihood', from: 'realistic possibility, 40–50%', to: 'likely, 55–80% under ICD 203 (wording row A) (needs restating)' },
      { field: 'confidence', label: 'analytic confidence', from: 'low', to: 'high', words: undefined },
    ])
  })

  it('folds a restatement into the likelihood row', () => {
    const change = fieldsOf(card(5, 'icd203'), card(5, 'phia'))
    expect(shownCardFields(change, { from: 'phia', to: 'phia' })).toEqual([
      { field: 'likelihood', label: 'likelihood restated under PHIA probability yardstick', from: 'likely, 55–80% under ICD 203 (wording row A) (needs restating)', to: 'likely/probably, 55–75%' },
    ])
  })
})
