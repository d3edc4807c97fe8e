/**
 * Analysis of Competing Hypotheses (DOMAIN.md) on the board model: the
 * hypotheses are the assessments of kind 'hypothesis' (columns), the evidence
 * the claims rated against them (rows), each cell a link's rating.
 *
 * Pure: the board's reactive readers, the server and the tests give it the
 * same plain shapes.
 */
import type { AssessmentModel, ClaimModel, LinkModel, SourceModel } from './board-model.ts'
import { admiraltyGrade, inconsistencyWeight, type AchRating } from './domain.ts'

/** Whether a row helps choose between the hypotheses. */
export type Diagnosticity =
  /** Rated differently across the hypotheses it applies to. */
  | 'diagnostic'
  /** Rated the same against every hypothesis it applies to: it does not help choose. */
  | 'non-diagnostic'
  /** Not yet rated against every hypothesis, and the ratings it has agree. */
  | 'incomplete'

export type AchRow = {
  claim: ClaimModel
  /** The Admiralty grade, e.g. "B2". */
  grade: string
  /** One per hypothesis, in column order; null where the claim is not linked to it. */
  cells: (LinkModel | null)[]
  /** Retracted claims are shown but count for nothing. */
  retracted: boolean
  diagnosticity: Diagnosticity
}

export type AchMatrix = {
  /** In the order given (board order). */
  hypotheses: AssessmentModel[]
  rows: AchRow[]
  /** One per hypothesis: I counts 1, II counts 2, over the claims not retracted. */
  scores: number[]
  /** The ids of the hypotheses with the lowest score (several on a tie); none without hypotheses. */
  leastRefuted: string[]
}

export type AchBoard = {
  /** In board order. */
  assessments: readonly AssessmentModel[]
  sources: readonly SourceModel[]
  /** In the order the rows should take. */
  claims: readonly ClaimModel[]
  links: readonly LinkModel[]
}

export type AchOptions = {
  /** Also a row for every active claim not yet rated against any hypothesis, to rate it here. */
  allClaims?: boolean
}

/**
 * NA cells are left out of the comparison: "does not apply" says nothing for
 * or against a hypothesis, so it neither makes a row diagnostic nor leaves it incomplete.
 */
export function diagnosticity(ratings: readonly (AchRating | null)[]): Diagnosticity {
  const applicable = ratings.filter((rating) => rating !== 'NA')
  const rated = new Set(applicable.filter((rating) => rating !== null))
  if (rated.size > 1) return 'diagnostic'
  return applicable.includes(null) ? 'incomplete' : 'non-diagnostic'
}

export function achMatrix(board: AchBoard, options: AchOptions = {}): AchMatrix {
  const hypotheses = board.assessments.filter((a) => a.kind === 'hypothesis')
  const column = new Map(hypotheses.map((h, index) => [h.id, index]))
  const sources = new Map(board.sources.map((s) => [s.id, s]))
  const cellsByClaim = new Map<string, (LinkModel | null)[]>()
  for (const link of board.links) {
    const index = column.get(link.assessmentId)
    if (index === undefined) continue
    let cells = cellsByClaim.get(link.claimId)
    if (!cells) {
      cells = hypotheses.map(() => null)
      cellsByClaim.set(link.claimId, cells)
    }
    cells[index] = link
  }

  const rows: AchRow[] = []
  for (const claim of board.claims) {
    const source = sources.get(claim.sourceId)
    if (!source) continue
    const retracted = claim.status === 'retracted'
    const linked = cellsByClaim.get(claim.id)
    if (!linked && !(options.allClaims && !retracted && hypotheses.length > 0)) continue
    const cells = linked ?? hypotheses.map(() => null)
    rows.push({
      claim,
      grade: admiraltyGrade(source.reliability, claim.credibility),
      cells,
      retracted,
      diagnosticity: diagnosticity(cells.map((cell) => cell?.rating ?? null)),
    })
  }

  const scores = hypotheses.map((_, index) =>
    rows.reduce((sum, row) => {
      const rating = row.cells[index]?.rating
      return row.retracted || !rating ? sum : sum + inconsistencyWeight(rating)
    }, 0),
  )
  const lowest = Math.min(...scores)
  const leastRefuted = hypotheses.filter((_, index) => scores[index] === lowest).map((h) => h.id)
  return { hypotheses, rows, scores, leastRefuted }
}
