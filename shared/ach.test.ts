import { describe, expect, it } from 'vitest'
import { achMatrix, diagnosticity, type AchBoard } from './ach.ts'
import type { AssessmentModel, ClaimModel, LinkModel, SourceModel } from './board-model.ts'
import type { AchRating, AssessmentKind, ClaimCredibility } from './domain.ts'

const AT = '2026-11-28T12:00:00.000Z'

function assessment(id: string, kind: AssessmentKind = 'hypothesis'): AssessmentModel {
  return { id, title: id, judgment: '', kind, likelihood: null, confidence: null, impact: null, status: 'draft', tags: [], order: id, createdAt: AT }
}

function claim(id: string, credibility: ClaimCredibility = 2, status: ClaimModel['status'] = 'active'): ClaimModel {
  return { id, text: `Claim ${id}`, sourceId: 'nato', credibility, status, createdAt: AT }
}

function link(assessmentId: string, claimId: string, rating: AchRating): LinkModel {
  return { id: `${assessmentId}-${claimId}`, assessmentId, claimId, rating, createdAt: AT }
}

const NATO: SourceModel = { id: 'nato', name: 'NATO', kind: '', reliability: 'B', createdAt: AT }

function board(parts: Partial<AchBoard>): AchBoard {
  return { assessments: [], sources: [NATO], claims: [], links: [], ...parts }
}

describe('ACH matrix', () => {
  it('scores each hypothesis I × 1 + II × 2 and finds the least refuted', () => {
    // h1: I (1) + II (2) = 3; h2: C, CC, I = 1; h3: II (2) + N = 2. Least refuted: h2.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('k', 'key-judgment'), assessment('h2'), assessment('h3')],
        claims: [claim('a'), claim('b', 4), claim('c')],
        links: [
          link('h1', 'a', 'I'),
          link('h2', 'a', 'C'),
          link('h3', 'a', 'II'),
          link('h1', 'b', 'II'),
          link('h2', 'b', 'CC'),
          link('h3', 'b', 'N'),
          link('h2', 'c', 'I'),
          link('k', 'c', 'II'),
        ],
      }),
    )
    expect(matrix.hypotheses.map((h) => h.id)).toEqual(['h1', 'h2', 'h3'])
    expect(matrix.rows.map((r) => [r.claim.id, r.grade, r.cells.map((c) => c?.rating ?? null)])).toEqual([
      ['a', 'B2', ['I', 'C', 'II']],
      ['b', 'B4', ['II', 'CC', 'N']],
      ['c', 'B2', [null, 'I', null]],
    ])
    expect(matrix.scores).toEqual([3, 1, 2])
    expect(matrix.leastRefuted).toEqual(['h2'])
  })

  it('lists every hypothesis tied for the lowest score', () => {
    // h1: I = 1; h2: I = 1; h3: II = 2.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2'), assessment('h3')],
        claims: [claim('a'), claim('b')],
        links: [link('h1', 'a', 'I'), link('h2', 'b', 'I'), link('h3', 'a', 'II'), link('h3', 'b', 'CC')],
      }),
    )
    expect(matrix.scores).toEqual([1, 1, 2])
    expect(matrix.leastRefuted).toEqual(['h1', 'h2'])
  })

  it('counts nothing of a retracted claim, though it still shows its row', () => {
    // Without the retraction h1 would score 2 (II) and h2 would be least refuted.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2')],
        claims: [claim('a', 2, 'retracted'), claim('b')],
        links: [link('h1', 'a', 'II'), link('h2', 'a', 'C'), link('h1', 'b', 'C'), link('h2', 'b', 'I')],
      }),
    )
    expect(matrix.rows.map((r) => [r.claim.id, r.retracted])).toEqual([
      ['a', true],
      ['b', false],
    ])
    expect(matrix.scores).toEqual([0, 1])
    expect(matrix.leastRefuted).toEqual(['h1'])
  })

  it('scores NA, N, C and CC as nothing, and unrated cells as nothing', () => {
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2')],
        claims: [claim('a'), claim('b'), claim('c')],
        links: [link('h1', 'a', 'NA'), link('h2', 'a', 'N'), link('h1', 'b', 'CC'), link('h2', 'c', 'C')],
      }),
    )
    expect(matrix.scores).toEqual([0, 0])
    expect(matrix.leastRefuted).toEqual(['h1', 'h2'])
  })

  it('shows only claims rated against a hypothesis, unless all active claims are asked for', () => {
    const parts = board({
      assessments: [assessment('h1'), assessment('other', 'assessment')],
      claims: [claim('a'), claim('b'), claim('c', 2, 'retracted'), claim('d')],
      links: [link('h1', 'a', 'C'), link('other', 'b', 'I')],
    })
    expect(achMatrix(parts).rows.map((r) => r.claim.id)).toEqual(['a'])
    // Retracted claims with no rating stay out even then: there is nothing to weigh.
    expect(achMatrix(parts, { allClaims: true }).rows.map((r) => [r.claim.id, r.cells])).toEqual([
      ['a', [parts.links[0]]],
      ['b', [null]],
      ['d', [null]],
    ])
  })

  it('leaves out claims whose source is gone', () => {
    const matrix = achMatrix(
      board({ assessments: [assessment('h1')], claims: [{ ...claim('a'), sourceId: 'gone' }], links: [link('h1', 'a', 'II')] }),
    )
    expect(matrix.rows).toEqual([])
    expect(matrix.scores).toEqual([0])
  })

  it('is empty without hypotheses', () => {
    const matrix = achMatrix(
      board({ assessments: [assessment('x', 'assessment')], claims: [claim('a')], links: [link('x', 'a', 'II')] }),
      { allClaims: true },
    )
    expect(matrix).toEqual({ hypotheses: [], rows: [], scores: [], leastRefuted: [] })
  })
})

describe('ACH diagnosticity', () => {
  it('is diagnostic when the ratings differ across hypotheses', () => {
    expect(diagnosticity(['C', 'I'])).toBe('diagnostic')
    expect(diagnosticity(['CC', 'C', 'CC'])).toBe('diagnostic')
    // Differing rated cells decide it even while another cell is unrated.
    expect(diagnosticity(['C', null, 'II'])).toBe('diagnostic')
  })

  it('is not diagnostic when rated the same everywhere', () => {
    expect(diagnosticity(['C', 'C', 'C'])).toBe('non-diagnostic')
    expect(diagnosticity(['I'])).toBe('non-diagnostic')
  })

  it('leaves NA out of the comparison', () => {
    expect(diagnosticity(['C', 'NA', 'C'])).toBe('non-diagnostic')
    expect(diagnosticity(['NA', 'NA'])).toBe('non-diagnostic')
    expect(diagnosticity(['NA', 'I', 'C'])).toBe('diagnostic')
  })

  it('is incomplete while the ratings agree but some hypothesis is unrated', () => {
    expect(diagnosticity(['C', null])).toBe('incomplete')
    expect(diagnosticity([null, null])).toBe('incomplete')
    expect(diagnosticity(['NA', null])).toBe('incomplete')
  })

  it('marks each row of the matrix', () => {
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2')],
        claims: [claim('a'), claim('b'), claim('c')],
        links: [link('h1', 'a', 'C'), link('h2', 'a', 'I'), link('h1', 'b', 'N'), link('h2', 'b', 'N'), link('h1', 'c', 'II')],
      }),
    )
    expect(matrix.rows.map((r) => r.diagnosticity)).toEqual(['diagnostic', 'non-diagnostic', 'incomplete'])
  })
})
