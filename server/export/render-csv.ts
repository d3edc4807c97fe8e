/**
 * The ACH matrix as CSV (RFC 4180, UTF-8 with a byte-order mark so that
 * spreadsheet programs read accents and Cyrillic right): one row per claim
 * with its source, grade, relevance, weight and status, one column per hypothesis, then
 * the plain and weighted scores and the rated cells. A text cell a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an
 * apostrophe: a claim is data, never a formula.
 */
import { ACH_TEXT, buildAch, leastLabel } from './briefing-ach.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { cleanTextIn } from '../../shared/text-hygiene.ts'

const BOM = '\uFEFF'

export function renderAchCsv(input: BoardModel): string {
  const board = cleanTextIn(input)
  const numbers = new Map(board.assessments.map((a, index) => [a.id, index + 1]))
  const ach = buildAch(board, (id) => numbers.get(id) ?? 0)
  const hypotheses = ach?.hypotheses ?? []
  const head = [ACH_TEXT.evidence, 'Source', ACH_TEXT.grade, ACH_TEXT.relevance, ACH_TEXT.weight, 'Status', ...hypotheses.map((h) => `${h.label}: ${h.title}`)]
  const rows: string[][] = [head.map(text)]
  if (ach) {
    for (const row of ach.rows) {
      rows.push([text(row.claim), text(row.source), row.grade, row.relevance, row.weight, row.retracted ? 'retracted' : 'active', ...row.cells])
    }
    // Numbers alone in their cells, so that a spreadsheet can sort and compute with them.
    const least = leastLabel(ach)
    const scores = (label: string, cells: string[]) => [text(label), '', '', '', '', '', ...cells]
    rows.push(scores(ACH_TEXT.inconsistency, ach.scores.map((s) => String(s.inconsistency))))
    rows.push(scores(ACH_TEXT.weighted, ach.scores.map((s) => s.weighted.replace('−', '-'))))
    rows.push(scores(ACH_TEXT.rated, ach.scores.map((s) => String(s.rated))))
    rows.push(scores(ACH_TEXT.unrated, ach.scores.map((s) => String(s.unrated))))
    rows.push(scores(`${least} (inconsistency)`, ach.scores.map((s) => (s.least ? 'yes' : ''))))
    rows.push(scores(`${least} (weighted)`, ach.scores.map((s) => (s.leastWeighted ? 'yes' : ''))))
  }
  return BOM + rows.map((cells) => cells.map(quoted).join(',')).join('\r\n') + '\r\n'
}

/** Board text as a cell: never read as a formula. */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

function quoted(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell
}
