import { describe, expect, it } from 'vitest'
import type { AssessmentKind } from '../../../../shared/domain.ts'
import { boardChecksPassed } from './board-checks-passed.ts'

const of = (...kinds: AssessmentKind[]) => kinds.map((kind) => ({ kind }))

describe('what the board checks say when none is open', () => {
  it('says its hypotheses are told apart only when it has two or more', () => {
    expect(boardChecksPassed(of('key-judgment', 'hypothesis', 'hypothesis'))).toBe('The board has key judgments, and its hypotheses are told apart by their evidence.')
  })

  it('speaks of no hypotheses on a board without any, and of no key judgments on an empty board', () => {
    expect(boardChecksPassed(of('key-judgment', 'assessment'))).toBe('The board has key judgments.')
    expect(boardChecksPassed([])).toBe('Nothing to check yet: the board has no assessments.')
  })
})
