import { describe, expect, it } from 'vitest'
import {
  achMatrix,
  consistencyValue,
  diagnosticity,
  evidenceOrder,
  evidenceSummary,
  evidenceWeight,
  formatWeighted,
  hypothesisOrder,
  ratingSpread,
  relevanceText,
  type AchBoard,
} from './ach.ts'
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

  it('scores a lone hypothesis but calls it least refuted by neither score: there is nothing to compare it with', () => {
    const matrix = achMatrix(board({ assessments: [assessment('h1')], claims: [claim('a')], links: [link('h1', 'a', 'I')] }))
    expect(matrix.scores).toEqual([1])
    expect(matrix.leastRefuted).toEqual([])
    expect(matrix.leastRefutedWeighted).toEqual([])
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
    expect(matrix).toEqual({
      hypotheses: [],
      rows: [],
      scores: [],
      hypothesisScores: [],
      leastRefuted: [],
      leastRefutedWeighted: [],
      complete: true,
    })
  })
})

describe('ACH weighted scores', () => {
  const source = (id: string, reliability: SourceModel['reliability']): SourceModel => ({ id, name: id, kind: '', reliability, createdAt: AT })
  const graded = (id: string, sourceId: string, credibility: ClaimCredibility, status: ClaimModel['status'] = 'active'): ClaimModel => ({
    ...claim(id, credibility, status),
    sourceId,
  })

  it('weighs evidence by its credibility and relevance (DOMAIN.md), each L, M or H; relevance M unless rated', () => {
    expect(evidenceWeight(1)).toBeCloseTo(Math.SQRT2, 12) // H × M
    expect(evidenceWeight(2)).toBeCloseTo(Math.SQRT2, 12)
    expect(evidenceWeight(3)).toBe(1) // M × M
    expect(evidenceWeight(4)).toBeCloseTo(Math.SQRT1_2, 12) // L × M
    expect(evidenceWeight(5)).toBeCloseTo(Math.SQRT1_2, 12)
    expect(evidenceWeight(6)).toBeCloseTo(Math.SQRT1_2, 12)
    expect(evidenceWeight(1, 'H')).toBeCloseTo(2, 12) // H × H
    expect(evidenceWeight(6, 'L')).toBeCloseTo(0.5, 12) // L × L
    expect(consistencyValue('II')).toBe(-2)
    expect(consistencyValue('I')).toBe(-1)
    for (const rating of ['CC', 'C', 'N', 'NA'] as const) expect(consistencyValue(rating) === 0).toBe(true)
  })

  it('scores a hand-computed matrix, plain and weighted, counting rated cells apart from unrated ones', () => {
    // Evidence (weight, credibility's only): a A1 (√2), b C3 (1), c E5 (1/√2), d E5 (1/√2), e B4 (1/√2), f F6 retracted (not counted).
    //        h1    h2    h3
    // a A1   C     II    I
    // b C3   N     C     II
    // c E5   II    C     —
    // d E5   I     N     NA
    // e B4   —     —     C
    // f F6   I     II    II   (retracted)
    // plain:    h1 = 2 + 1 = 3;                       h2 = 2;               h3 = 1 + 2 = 3
    // weighted: h1 = −2/√2 − 1/√2 ≈ −2.12;            h2 = −2√2 ≈ −2.83;    h3 = −√2 − 2 ≈ −3.41
    // rated:    h1 4 of 5 (e unrated);     h2 4 of 5;         h3 4 of 5 (c unrated; NA is rated)
    // Plain: h2 is least refuted. Weighted: h1, whose inconsistencies rest on two E5 claims.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2'), assessment('h3')],
        sources: [source('sa', 'A'), source('sc', 'C'), source('se', 'E'), source('sb', 'B'), source('sf', 'F')],
        claims: [graded('a', 'sa', 1), graded('b', 'sc', 3), graded('c', 'se', 5), graded('d', 'se', 5), graded('e', 'sb', 4), graded('f', 'sf', 6, 'retracted')],
        links: [
          link('h1', 'a', 'C'), link('h2', 'a', 'II'), link('h3', 'a', 'I'),
          link('h1', 'b', 'N'), link('h2', 'b', 'C'), link('h3', 'b', 'II'),
          link('h1', 'c', 'II'), link('h2', 'c', 'C'),
          link('h1', 'd', 'I'), link('h2', 'd', 'N'), link('h3', 'd', 'NA'),
          link('h3', 'e', 'C'),
          link('h1', 'f', 'I'), link('h2', 'f', 'II'), link('h3', 'f', 'II'),
        ],
      }),
    )
    expect(matrix.rows.map((r) => [r.claim.id, r.grade])).toEqual([
      ['a', 'A1'], ['b', 'C3'], ['c', 'E5'], ['d', 'E5'], ['e', 'B4'], ['f', 'F6'],
    ])
    expect(matrix.scores).toEqual([3, 2, 3])
    expect(matrix.hypothesisScores.map((s) => s.inconsistency)).toEqual([3, 2, 3])
    const weighted = matrix.hypothesisScores.map((s) => s.weighted)
    expect(weighted[0]).toBeCloseTo(-3 * Math.SQRT1_2, 12)
    expect(weighted[1]).toBeCloseTo(-2 * Math.SQRT2, 12)
    expect(weighted[2]).toBeCloseTo(-Math.SQRT2 - 2, 12)
    expect(matrix.hypothesisScores.map((s) => [s.rated, s.unrated])).toEqual([[4, 1], [4, 1], [4, 1]])
    expect(matrix.leastRefuted).toEqual(['h2'])
    expect(matrix.leastRefutedWeighted).toEqual(['h1'])
    expect(matrix.complete).toBe(false)
    expect(weighted.map(formatWeighted)).toEqual(['−2.12', '−2.83', '−3.41'])
  })

  it('weighs the claim’s credibility, not its source’s reliability: a reliable source’s doubtful claim weighs less than an unreliable source’s confirmed one', () => {
    // h1 is refuted II by A5 and I by C3; h2 II by E1. Reliability × credibility weighed A5 and E1 alike (1 each):
    // h1 −3, h2 −2, h2 least refuted. By credibility: h1 = −2/√2 − 1 ≈ −2.41, h2 = −2√2 ≈ −2.83: h1 is.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2')],
        sources: [source('sa', 'A'), source('sc', 'C'), source('se', 'E')],
        claims: [graded('weak', 'sa', 5), graded('plain', 'sc', 3), graded('strong', 'se', 1)],
        links: [
          link('h1', 'weak', 'II'), link('h2', 'weak', 'C'),
          link('h1', 'plain', 'I'), link('h2', 'plain', 'N'),
          link('h1', 'strong', 'C'), link('h2', 'strong', 'II'),
        ],
      }),
    )
    expect(matrix.rows.map((r) => [r.grade, r.weight])).toEqual([['A5', Math.SQRT1_2], ['C3', 1], ['E1', Math.SQRT2]])
    expect(matrix.hypothesisScores.map((s) => formatWeighted(s.weighted))).toEqual(['−2.41', '−2.83'])
    expect(matrix.leastRefutedWeighted).toEqual(['h1'])
  })

  it('weighs each row by its own relevance, H and L as rated and M where not: DOMAIN.md’s formula by hand', () => {
    // DOMAIN.md: cell = credibility × relevance × consistency, L = 1/√2, M = 1, H = √2; II = −2, I = −1, others 0.
    const [L, M, H] = [1 / Math.sqrt(2), 1, Math.sqrt(2)]
    //                         credibility  relevance     h1    h2
    // strong   B2             H            H (rated)     II    C
    // slight   B2             H            L (rated)     C     II
    // unrated  B3             M            M (not rated) N     I
    const h1 = H * H * -2 // −4
    const h2 = H * L * -2 + M * M * -1 // −3
    // Taking every relevance as M made h1 (−2√2 ≈ −2.83) the least refuted over h2 (−2√2 − 1 ≈ −3.83): the rating flips it.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2')],
        sources: [source('sb', 'B')],
        claims: [{ ...graded('strong', 'sb', 2), relevance: 'H' }, { ...graded('slight', 'sb', 2), relevance: 'L' }, graded('unrated', 'sb', 3)],
        links: [
          link('h1', 'strong', 'II'), link('h2', 'strong', 'C'),
          link('h1', 'slight', 'C'), link('h2', 'slight', 'II'),
          link('h1', 'unrated', 'N'), link('h2', 'unrated', 'I'),
        ],
      }),
    )
    expect(matrix.hypothesisScores[0]!.weighted).toBeCloseTo(h1, 12)
    expect(matrix.hypothesisScores[1]!.weighted).toBeCloseTo(h2, 12)
    expect(matrix.hypothesisScores.map((s) => formatWeighted(s.weighted))).toEqual(['−4.00', '−3.00'])
    expect(matrix.rows[0]!.weight).toBeCloseTo(H * H, 12)
    expect(matrix.rows[1]!.weight).toBeCloseTo(H * L, 12)
    expect(matrix.rows[2]!.weight).toBe(M * M)
    expect(matrix.leastRefutedWeighted).toEqual(['h2'])
    // The plain score counts no weight: h1 has one II (2), h2 one II and one I (3).
    expect(matrix.leastRefuted).toEqual(['h1'])
    expect(matrix.rows.map((r) => [r.claim.id, r.relevance, r.relevanceRated, relevanceText(r)])).toEqual([
      ['strong', 'H', true, 'H'],
      ['slight', 'L', true, 'L'],
      ['unrated', 'M', false, 'M (not rated)'],
    ])
  })

  it('treats ties within rounding as ties, and is complete once every cell of the evidence is rated', () => {
    // a A1 and two C1 (√2 each): h1 = √2×−1; h2 = √2×−1 + √2×−1 = −2√2 ≈ −2.83; h3 = √2×−1.
    const matrix = achMatrix(
      board({
        assessments: [assessment('h1'), assessment('h2'), assessment('h3')],
        sources: [source('sa', 'A'), source('sc', 'C')],
        claims: [graded('a', 'sa', 1), graded('b', 'sc', 1), graded('c', 'sc', 1)],
        links: [
          link('h1', 'a', 'I'), link('h2', 'a', 'C'), link('h3', 'a', 'I'),
          link('h1', 'b', 'C'), link('h2', 'b', 'I'), link('h3', 'b', 'CC'),
          link('h1', 'c', 'N'), link('h2', 'c', 'I'), link('h3', 'c', 'NA'),
        ],
      }),
    )
    expect(matrix.complete).toBe(true)
    expect(matrix.hypothesisScores.map((s) => [s.rated, s.unrated])).toEqual([[3, 0], [3, 0], [3, 0]])
    expect(formatWeighted(matrix.hypothesisScores[1]!.weighted)).toBe('−2.83')
    expect(matrix.leastRefutedWeighted).toEqual(['h1', 'h3'])
    expect(matrix.leastRefuted).toEqual(['h1', 'h3'])
    expect(formatWeighted(0)).toBe('0')
    expect(formatWeighted(-0.001)).toBe('0')
  })

  it('does not count rows listed only to be rated as unrated evidence', () => {
    const matrix = achMatrix(
      board({ assessments: [assessment('h1'), assessment('h2')], claims: [claim('a'), claim('b')], links: [link('h1', 'a', 'I')] }),
      { allClaims: true },
    )
    expect(matrix.rows.map((r) => r.claim.id)).toEqual(['a', 'b'])
    expect(matrix.hypothesisScores.map((s) => [s.rated, s.unrated])).toEqual([[1, 0], [0, 1]])
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
    expect(diagnosticity(['I', 'I'])).toBe('non-diagnostic')
  })

  it('judges no row with fewer than two hypotheses: there is nothing to choose between', () => {
    expect(diagnosticity(['I'])).toBe('uncompared')
    expect(diagnosticity(['NA'])).toBe('uncompared')
    // Unrated is still unrated.
    expect(diagnosticity([null])).toBe('incomplete')
    const matrix = achMatrix(
      board({ assessments: [assessment('h1')], claims: [claim('a'), claim('b'), claim('c')], links: [link('h1', 'a', 'C'), link('h1', 'b', 'II'), link('h1', 'c', 'NA')] }),
    )
    expect(matrix.rows.map((r) => r.diagnosticity)).toEqual(['uncompared', 'uncompared', 'uncompared'])
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

  it('summarizes the evidence as the matrix would, without building it', () => {
    const parts = board({
      assessments: [assessment('h1'), assessment('h2'), assessment('k', 'key-judgment')],
      claims: [claim('a'), claim('b'), claim('c', 2, 'retracted'), claim('d'), { ...claim('e'), sourceId: 'gone' }],
      links: [
        link('h1', 'a', 'C'), link('h2', 'a', 'C'),
        link('h1', 'b', 'NA'), link('h2', 'b', 'I'),
        link('h1', 'c', 'I'), link('h2', 'c', 'CC'),
        link('k', 'd', 'II'),
        link('h1', 'e', 'I'), link('h2', 'e', 'C'),
      ],
    })
    const rows = achMatrix(parts).rows.filter((r) => !r.retracted)
    expect(evidenceSummary(parts)).toEqual({ claimIds: rows.map((r) => r.claim.id), diagnostic: rows.some((r) => r.diagnosticity === 'diagnostic') })
    expect(evidenceSummary(parts)).toEqual({ claimIds: ['a', 'b'], diagnostic: false })
    expect(evidenceSummary({ ...parts, links: [...parts.links, link('h2', 'b', 'NA'), link('h1', 'a', 'N')] }).diagnostic).toBe(true)
  })
})

describe('ACH ordering', () => {
  // h1: I + II = 3, weighted a (B2, weight 2) × −1 + b (B4, weight 1) × −2 = −4; h2: 0; h3: I = 1, weighted c (C3, weight 1) × −1 = −1.
  const matrix = achMatrix(
    board({
      assessments: [assessment('h1'), assessment('h2'), assessment('h3')],
      sources: [NATO, { ...NATO, id: 'c-source', reliability: 'C' }],
      claims: [claim('same'), claim('a'), { ...claim('c', 3), sourceId: 'c-source' }, claim('b', 4), claim('gone', 2, 'retracted'), claim('partial')],
      links: [
        link('h1', 'same', 'C'),
        link('h2', 'same', 'C'),
        link('h3', 'same', 'C'),
        link('h1', 'a', 'I'),
        link('h2', 'a', 'C'),
        link('h3', 'a', 'C'),
        link('h1', 'b', 'II'),
        link('h2', 'b', 'CC'),
        link('h3', 'b', 'N'),
        link('h3', 'c', 'I'),
        link('h2', 'c', 'N'),
        link('h1', 'c', 'N'),
        link('h1', 'gone', 'II'),
        link('h2', 'gone', 'CC'),
        link('h1', 'partial', 'C'),
      ],
    }),
  )

  it('orders the hypotheses by either score, least refuted first, ties in board order', () => {
    expect(matrix.scores).toEqual([3, 0, 1])
    expect(hypothesisOrder(matrix, 'board')).toEqual([0, 1, 2])
    expect(hypothesisOrder(matrix, 'score')).toEqual([1, 2, 0])
    expect(hypothesisOrder(matrix, 'weighted')).toEqual([1, 2, 0])
    const tied = achMatrix(board({ assessments: [assessment('x'), assessment('y')], claims: [claim('a')], links: [link('x', 'a', 'C'), link('y', 'a', 'C')] }))
    expect(hypothesisOrder(tied, 'score')).toEqual([0, 1])
    // A1 rated I (weight √2 × √2, 2.0000000000000004 in floating point) against C3 rated II (1 × 1): −2 both, a tie.
    const rounding = achMatrix(
      board({
        assessments: [assessment('x'), assessment('y')],
        sources: [NATO, { ...NATO, id: 'a-source', reliability: 'A' }, { ...NATO, id: 'c-source', reliability: 'C' }],
        claims: [{ ...claim('a1', 1), sourceId: 'a-source' }, { ...claim('c3', 3), sourceId: 'c-source' }],
        links: [link('x', 'a1', 'I'), link('y', 'a1', 'C'), link('x', 'c3', 'C'), link('y', 'c3', 'II')],
      }),
    )
    expect(rounding.hypothesisScores[0]!.weighted).not.toBe(rounding.hypothesisScores[1]!.weighted)
    expect(hypothesisOrder(rounding, 'weighted')).toEqual([0, 1])
  })

  it('orders the evidence by diagnosticity: widest spread first, then incomplete, then rated alike, retracted last', () => {
    const ids = (order: number[]) => order.map((index) => matrix.rows[index]!.claim.id)
    expect(ids(evidenceOrder(matrix, 'board'))).toEqual(['same', 'a', 'c', 'b', 'gone', 'partial'])
    // b spans II..CC (4), a I..C (2), c N..I (1); partial is incomplete, same is non-diagnostic, gone is retracted.
    expect(ids(evidenceOrder(matrix, 'diagnosticity'))).toEqual(['b', 'a', 'c', 'partial', 'same', 'gone'])
    expect(matrix.rows.map(ratingSpread)).toEqual([0, 2, 1, 4, 4, 0])
  })
})
