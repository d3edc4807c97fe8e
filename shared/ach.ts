/**
 * Analysis of Competing Hypotheses (DOMAIN.md) on the board model: the
 * hypotheses are the assessments of kind 'hypothesis' (columns), the evidence
 * the claims rated against them (rows), each cell a link's rating.
 *
 * Pure: the board's reactive readers, the server and the tests give it the
 * same plain shapes.
 */
import type { AssessmentModel, ClaimModel, LinkModel, SourceModel } from './board-model.ts'
import {
  admiraltyGrade,
  DEFAULT_RELEVANCE,
  inconsistencyWeight,
  type AchRating,
  type ClaimCredibility,
  type RelevanceLevel,
} from './domain.ts'

/** DOMAIN.md's weighting levels: L = 1/√2, M = 1, H = √2. */
export const WEIGHT_LEVELS = { L: Math.SQRT1_2, M: 1, H: Math.SQRT2 } as const satisfies Record<RelevanceLevel, number>
export type WeightLevel = keyof typeof WEIGHT_LEVELS
/** Each level's factor as DOMAIN.md writes it. */
export const WEIGHT_LEVEL_TEXT: Record<WeightLevel, string> = { L: '1/√2', M: '1', H: '√2' }

/**
 * DOMAIN.md's weighting: each cell is multiplied by the evidence's credibility
 * and its relevance. The claim's credibility gives a level; the source's
 * reliability is shown beside it in the grade ("B2") but is not weighed, so a
 * reliable source's doubtful claim never outweighs an unreliable source's
 * confirmed one. Unjudged credibility (6, where an import starts) weighs as
 * little as a claim graded doubtful, so grading it is what earns it weight.
 * Relevance is the claim's own rating as evidence (L, M, H), M until rated.
 */
export const CREDIBILITY_WEIGHT: Record<ClaimCredibility, WeightLevel> = { 1: 'H', 2: 'H', 3: 'M', 4: 'L', 5: 'L', 6: 'L' }

/** The credibility grades that give a level, e.g. "1 or 2" for H. */
function credibilitiesAt(level: WeightLevel): string {
  const grades = Object.entries(CREDIBILITY_WEIGHT)
    .filter(([, at]) => at === level)
    .map(([grade]) => grade)
  return grades.length > 1 ? `${grades.slice(0, -1).join(', ')} or ${grades.at(-1)}` : grades.join('')
}

/** What the weight leaves out and how it takes unrated and ungraded evidence, in the words the board and the briefing print beside the weighted score. */
export const WEIGHT_NOTE =
  'relevance is each claim’s own rating as evidence, M (1) until an editor rates it; the source’s reliability is shown in the grade but not weighed; 6 (cannot be judged) counts as the lowest weight, L'

/** The weighted score's rule in full, as the board's caption and the briefing's state it. */
export const WEIGHT_RULE =
  'Weighted score = Σ credibility × relevance × consistency (II −2, I −1, the others 0); ' +
  `each factor a level, H = ${WEIGHT_LEVEL_TEXT.H}, M = ${WEIGHT_LEVEL_TEXT.M}, L = ${WEIGHT_LEVEL_TEXT.L}; credibility H for ${credibilitiesAt('H')}, M for ${credibilitiesAt('M')}, L for ${credibilitiesAt('L')}; ` +
  WEIGHT_NOTE

/** DOMAIN.md's consistency values for the weighted score: II = −2, I = −1, the others 0. */
export function consistencyValue(rating: AchRating): number {
  return -inconsistencyWeight(rating)
}

/** The weight of evidence of this credibility and relevance (M until rated): from 1/2 (credibility 4, 5, 6 and relevance L) to 2 (1, 2 and H). */
export function evidenceWeight(credibility: ClaimCredibility, relevance: RelevanceLevel = DEFAULT_RELEVANCE): number {
  return WEIGHT_LEVELS[CREDIBILITY_WEIGHT[credibility]] * WEIGHT_LEVELS[relevance]
}

/** A row's relevance as the board and the briefing print it: its level, or "M (not rated)" for evidence no editor has rated. */
export function relevanceText(row: { relevance: RelevanceLevel; relevanceRated: boolean }): string {
  return row.relevanceRated ? row.relevance : `${row.relevance} (not rated)`
}

/** Whether a row helps choose between the hypotheses. */
export type Diagnosticity =
  /** Rated differently across the hypotheses it applies to. */
  | 'diagnostic'
  /** Rated the same against every hypothesis it applies to: it does not help choose. */
  | 'non-diagnostic'
  /** Not yet rated against every hypothesis, and the ratings it has agree. */
  | 'incomplete'
  /** Rated, but against fewer than two hypotheses: there is nothing to choose between, so it cannot be judged to help or not. */
  | 'uncompared'

export type AchRow = {
  claim: ClaimModel
  /** The Admiralty grade, e.g. "B2". */
  grade: string
  /** The claim's relevance as evidence, M where it is not rated. */
  relevance: RelevanceLevel
  /** Whether an editor rated the relevance: M by default reads differently from M chosen. */
  relevanceRated: boolean
  /** What each of its cells is multiplied by in the weighted score (evidenceWeight). */
  weight: number
  /** One per hypothesis, in column order; null where the claim is not linked to it. */
  cells: (LinkModel | null)[]
  /** Retracted claims are shown but count for nothing. */
  retracted: boolean
  diagnosticity: Diagnosticity
}

/** A hypothesis's scores over the evidence: the claims not retracted that are rated against some hypothesis. */
export type HypothesisScore = {
  /** I × 1 + II × 2 over its rated cells. */
  inconsistency: number
  /** Σ weight × consistency (II = −2, I = −1, others 0) over its rated cells: 0 or below, nearer 0 is less refuted. */
  weighted: number
  /** Cells of the evidence rated against it (NA included: "does not apply" is a rating). */
  rated: number
  /** Cells of the evidence not rated against it yet: they count for nothing either way, and are reported apart. */
  unrated: number
}

export type AchMatrix = {
  /** In the order given (board order). */
  hypotheses: AssessmentModel[]
  rows: AchRow[]
  /** One per hypothesis: I counts 1, II counts 2, over the claims not retracted. */
  scores: number[]
  /** One per hypothesis: plain and weighted scores, and how many of its cells are rated. */
  hypothesisScores: HypothesisScore[]
  /** The ids of the hypotheses with the lowest inconsistency score (several on a tie); none without two hypotheses to compare. */
  leastRefuted: string[]
  /** The ids of the hypotheses with the highest (nearest 0) weighted score; none without two hypotheses to compare. */
  leastRefutedWeighted: string[]
  /** Every piece of evidence is rated against every hypothesis: only then do the scores compare like with like. */
  complete: boolean
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
 * `ratings` has one cell per hypothesis. NA cells are left out of the
 * comparison: "does not apply" says nothing for or against a hypothesis, so it
 * neither makes a row diagnostic nor leaves it incomplete.
 */
export function diagnosticity(ratings: readonly (AchRating | null)[]): Diagnosticity {
  const applicable = ratings.filter((rating) => rating !== 'NA')
  const rated = new Set(applicable.filter((rating) => rating !== null))
  if (rated.size > 1) return 'diagnostic'
  if (applicable.includes(null)) return 'incomplete'
  return ratings.length < 2 ? 'uncompared' : 'non-diagnostic'
}

/** What the board and the briefing say while there is one hypothesis: least refuted is a comparison, and it has nothing to be compared with. */
export const LONE_HYPOTHESIS_NOTE = 'Add a competing hypothesis: ACH needs at least two to tell them apart.'

/** Weighted sums of irrational weights (√2 × √2 is 2.0000000000000004): scores closer than this are a tie. */
const WEIGHTED_TIE = 1e-9

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
      relevance: claim.relevance ?? DEFAULT_RELEVANCE,
      relevanceRated: claim.relevance !== undefined,
      weight: evidenceWeight(claim.credibility, claim.relevance),
      cells,
      retracted,
      diagnosticity: diagnosticity(cells.map((cell) => cell?.rating ?? null)),
    })
  }

  // Rows listed only to be rated here (allClaims) are not evidence yet: they weigh nothing and are not "unrated".
  const evidence = rows.filter((row) => !row.retracted && row.cells.some((cell) => cell !== null))
  const hypothesisScores = hypotheses.map((_, index): HypothesisScore => {
    const score: HypothesisScore = { inconsistency: 0, weighted: 0, rated: 0, unrated: 0 }
    for (const row of evidence) {
      const rating = row.cells[index]?.rating
      if (!rating) {
        score.unrated++
        continue
      }
      score.rated++
      score.inconsistency += inconsistencyWeight(rating)
      score.weighted += row.weight * consistencyValue(rating)
    }
    return score
  })
  const scores = hypothesisScores.map((s) => s.inconsistency)
  const lowest = Math.min(...scores)
  const highestWeighted = Math.max(...hypothesisScores.map((s) => s.weighted))
  const compared = hypotheses.length >= 2
  return {
    hypotheses,
    rows,
    scores,
    hypothesisScores,
    leastRefuted: compared ? hypotheses.filter((_, index) => scores[index] === lowest).map((h) => h.id) : [],
    leastRefutedWeighted: compared ? hypotheses.filter((_, index) => highestWeighted - hypothesisScores[index]!.weighted < WEIGHTED_TIE).map((h) => h.id) : [],
    complete: hypothesisScores.every((s) => s.unrated === 0),
  }
}

/**
 * Which evidence the hypotheses are weighed on, and whether any of it tells
 * them apart: what the matrix's rows would say, without building the matrix
 * (its cells are claims × hypotheses, which a check run on every change of a
 * large board cannot afford).
 */
export function evidenceSummary(board: AchBoard): { claimIds: string[]; diagnostic: boolean } {
  const hypotheses = new Set(board.assessments.filter((a) => a.kind === 'hypothesis').map((a) => a.id))
  const sources = new Set(board.sources.map((s) => s.id))
  const ratings = new Map<string, Set<AchRating>>()
  for (const link of board.links) {
    if (!hypotheses.has(link.assessmentId)) continue
    let rated = ratings.get(link.claimId)
    if (!rated) ratings.set(link.claimId, (rated = new Set()))
    if (link.rating !== 'NA') rated.add(link.rating)
  }
  const evidence = board.claims.filter((c) => c.status === 'active' && sources.has(c.sourceId) && ratings.has(c.id))
  return { claimIds: evidence.map((c) => c.id), diagnostic: evidence.some((c) => ratings.get(c.id)!.size > 1) }
}

/** A weighted score as people read it: two decimals, a true minus sign, no "−0". */
export function formatWeighted(score: number): string {
  const rounded = Math.round(score * 100) / 100
  return rounded === 0 ? '0' : rounded.toFixed(2).replace('-', '−')
}

/** How the matrix's columns are ordered: as on the board, or the least refuted first by either score. */
export type HypothesisSort = 'board' | 'score' | 'weighted'
/** How its rows are ordered: as the claims are listed, or the evidence that best tells the hypotheses apart first. */
export type EvidenceSort = 'board' | 'diagnosticity'

/**
 * The columns' order, as indexes into `matrix.hypotheses`: by inconsistency
 * score ascending or weighted score descending (nearest 0 first), the
 * board's order breaking ties.
 */
export function hypothesisOrder(matrix: AchMatrix, by: HypothesisSort): number[] {
  const indexes = matrix.hypotheses.map((_, index) => index)
  if (by === 'board') return indexes
  const scores = matrix.hypothesisScores
  return indexes.sort((a, b) => {
    if (by === 'score') return scores[a]!.inconsistency - scores[b]!.inconsistency || a - b
    const difference = scores[b]!.weighted - scores[a]!.weighted
    return Math.abs(difference) < WEIGHTED_TIE ? a - b : difference
  })
}

const DIAGNOSTICITY_RANK: Record<Diagnosticity, number> = { diagnostic: 0, incomplete: 1, uncompared: 1, 'non-diagnostic': 2 }

const CONSISTENCY_SCALE: Record<Exclude<AchRating, 'NA'>, number> = { CC: 2, C: 1, N: 0, I: -1, II: -2 }

/**
 * How far apart a row's ratings lie, on DOMAIN.md's consistency scale from
 * CC to II (NA and unrated cells left out): 0 when they all agree, 4 when one
 * hypothesis has CC and another II. The wider, the more the row tells them apart.
 */
export function ratingSpread(row: AchRow): number {
  const values = row.cells.flatMap((cell) => (cell && cell.rating !== 'NA' ? [CONSISTENCY_SCALE[cell.rating]] : []))
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values)
}

/**
 * The rows' order, as indexes into `matrix.rows`: by diagnosticity, the
 * diagnostic first and the widest spread of ratings first among them, then
 * the incomplete, then those rated the same everywhere, retracted claims last;
 * the listed order breaking ties.
 */
export function evidenceOrder(matrix: AchMatrix, by: EvidenceSort): number[] {
  const indexes = matrix.rows.map((_, index) => index)
  if (by === 'board') return indexes
  const key = matrix.rows.map((row) => ({
    retracted: row.retracted ? 1 : 0,
    rank: DIAGNOSTICITY_RANK[row.diagnosticity],
    spread: ratingSpread(row),
  }))
  return indexes.sort((a, b) => {
    const x = key[a]!
    const y = key[b]!
    return x.retracted - y.retracted || x.rank - y.rank || y.spread - x.spread || a - b
  })
}
