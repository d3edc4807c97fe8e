/**
 * The ACH matrix as the briefing's appendix (and the CSV export): the
 * hypotheses numbered H1…, the evidence rated against them with its grade,
 * relevance and weight, and each hypothesis's plain and weighted scores with how many of its
 * cells are rated, from the same pure functions as the board (shared/ach.ts).
 */
import { achMatrix, formatWeighted, LONE_HYPOTHESIS_NOTE, relevanceText, WEIGHT_RULE } from '../../shared/ach.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { isolate } from '../../shared/bidi.ts'

export type BriefingAchHypothesis = {
  /** "H1": the column's short name, as wide tables need. */
  label: string
  /** The assessment's number in the briefing. */
  number: number
  title: string
}

export type BriefingAchRow = {
  claim: string
  /** The claim's source by name. */
  source: string
  /** "NATO (B2)", the name isolated (bidi.ts). */
  attribution: string
  grade: string
  /** Its relevance as evidence: "H", or "M (not rated)" (relevanceText). */
  relevance: string
  /** Its weight in the weighted score, e.g. "1.41". */
  weight: string
  /** One per hypothesis: the rating, or "—" where it is not rated. */
  cells: string[]
  retracted: boolean
  /** Why the row counts for nothing or helps nothing, if so. */
  note: string
}

export type BriefingAchScore = {
  inconsistency: number
  weighted: string
  rated: number
  unrated: number
  least: boolean
  leastWeighted: boolean
}

export type BriefingAch = {
  hypotheses: BriefingAchHypothesis[]
  rows: BriefingAchRow[]
  scores: BriefingAchScore[]
  /** Whether every cell of the evidence is rated: until then the least refuted is so only so far. */
  complete: boolean
  caption: string
}

/** What an unrated cell shows: not a rating, and not a zero. */
export const NOT_RATED = '—'

/** Hypotheses per table of the appendix: with the evidence, grade, relevance and weight columns, as many as an A4 page holds legibly. */
export const ACH_TABLE_COLUMNS = 6

export const ACH_TEXT = {
  heading: 'Appendix: analysis of competing hypotheses',
  evidence: 'Evidence',
  grade: 'Grade',
  relevance: 'Relevance',
  weight: 'Weight',
  inconsistency: 'Inconsistency score (lower is less refuted)',
  weighted: 'Weighted score (nearer 0 is less refuted)',
  rated: 'Cells rated',
  unrated: 'Cells not rated',
  least: 'least refuted',
  leastSoFar: 'least refuted so far',
  hypotheses: 'Hypotheses',
} as const

/** Null when the board has no hypotheses. `numberOf` gives an assessment's number in the briefing. */
export function buildAch(board: BoardModel, numberOf: (assessmentId: string) => number): BriefingAch | null {
  const matrix = achMatrix(board)
  if (matrix.hypotheses.length === 0) return null
  const sources = new Map(board.sources.map((s) => [s.id, s]))
  const rated = matrix.hypothesisScores.reduce((sum, s) => sum + s.rated, 0)
  const cells = matrix.hypothesisScores.reduce((sum, s) => sum + s.rated + s.unrated, 0)
  return {
    hypotheses: matrix.hypotheses.map((h, index) => ({ label: `H${index + 1}`, number: numberOf(h.id), title: h.title })),
    rows: matrix.rows.map((row) => ({
      claim: row.claim.text,
      source: sources.get(row.claim.sourceId)?.name ?? '',
      attribution: `${isolate(sources.get(row.claim.sourceId)?.name ?? '')} (${row.grade})`,
      grade: row.grade,
      relevance: relevanceText(row),
      weight: row.weight.toFixed(2),
      cells: row.cells.map((cell) => cell?.rating ?? NOT_RATED),
      retracted: row.retracted,
      note: row.retracted ? 'retracted: not counted' : row.diagnosticity === 'non-diagnostic' ? 'rated the same everywhere: does not help choose' : '',
    })),
    scores: matrix.hypothesisScores.map((score, index) => ({
      inconsistency: score.inconsistency,
      weighted: formatWeighted(score.weighted),
      rated: score.rated,
      unrated: score.unrated,
      least: matrix.leastRefuted.includes(matrix.hypotheses[index]!.id),
      leastWeighted: matrix.leastRefutedWeighted.includes(matrix.hypotheses[index]!.id),
    })),
    complete: matrix.complete,
    caption:
      (matrix.hypotheses.length === 1 ? `${LONE_HYPOTHESIS_NOTE} ` : '') +
      `Claims (rows) rated against the hypotheses (columns): CC very consistent, C consistent, N neutral, I inconsistent, ` +
      `II very inconsistent, NA not applicable, ${NOT_RATED} not rated (counted for nothing, and apart). Inconsistency score = I × 1 + II × 2. ` +
      `${WEIGHT_RULE}; a row's weight is its credibility × relevance. Retracted claims count for nothing. ${rated} of ${cells} cells rated.` +
      (matrix.hypotheses.length > ACH_TABLE_COLUMNS ? ` Each table lists the claims rated against at least one of its ${ACH_TABLE_COLUMNS} hypotheses.` : ''),
  }
}

/** One table of the appendix: some of the hypotheses, and the claims rated against at least one of them. */
export type AchTable = {
  /** "Hypotheses H7–H12" when the matrix takes more than one table. */
  heading: string | null
  hypotheses: BriefingAchHypothesis[]
  rows: BriefingAchRow[]
  scores: BriefingAchScore[]
}

/**
 * The matrix in tables of at most ACH_TABLE_COLUMNS hypotheses, so that each
 * fits a page's width and a board with many hypotheses stays readable; each
 * table lists only the claims rated against one of its hypotheses, so the
 * appendix grows with the ratings, not with claims × hypotheses.
 */
export function achTables(ach: BriefingAch): AchTable[] {
  const tables: AchTable[] = []
  const several = ach.hypotheses.length > ACH_TABLE_COLUMNS
  for (let start = 0; start < ach.hypotheses.length; start += ACH_TABLE_COLUMNS) {
    const end = Math.min(start + ACH_TABLE_COLUMNS, ach.hypotheses.length)
    const hypotheses = ach.hypotheses.slice(start, end)
    tables.push({
      heading: several ? `${ACH_TEXT.hypotheses} ${hypotheses[0]!.label}–${hypotheses.at(-1)!.label}` : null,
      hypotheses,
      rows: ach.rows
        .map((row) => ({ ...row, cells: row.cells.slice(start, end) }))
        .filter((row) => row.cells.some((cell) => cell !== NOT_RATED)),
      scores: ach.scores.slice(start, end),
    })
  }
  return tables
}

/** "3 of 4": a hypothesis's rated cells among the evidence's. */
export function ratedText(score: BriefingAchScore): string {
  return `${score.rated} of ${score.rated + score.unrated}`
}

/** "least refuted" or "least refuted so far", for a score that is the lowest. */
export function leastLabel(ach: BriefingAch): string {
  return ach.complete ? ACH_TEXT.least : ACH_TEXT.leastSoFar
}
