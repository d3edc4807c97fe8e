/**
 * The marking's lines in the PDF's bars. A marking may be 500 characters; a
 * bar one line high showed its first line and drew the rest below the bar, in
 * the marking's colour on white paper (white for a free-text marking):
 * unreadable on every page. So the marking is set at the largest size from 10
 * to 8 pt that holds it on one line, or else wrapped at 8 pt, and the bars and
 * the page margins grow by the lines it takes.
 *
 * The lines are broken here, measured with the font pdfmake draws them in
 * (pdfkit, pdfmake's own, through pdfmake's own dependency), so the bar's
 * height is known before pdfmake lays out the pages; each line is narrower
 * than the bar, so pdfmake keeps the breaks as given.
 */
import { LIMITS } from '../../shared/limits.ts'
import { cutText } from '../../shared/within-limits.ts'
import { FONTS } from './pdf-fonts.ts'
import { pdfkit } from './pdfmake-dependencies.ts'

const PDFDocument = pdfkit()

/** The sizes tried for one line, largest first; the last is also the size a wrapped marking is set in. */
const MARKING_SIZES = [10, 9, 8] as const
/** The documents' default line height (render-pdf.ts), which pdfmake applies to the marking's lines too. */
const LINE_HEIGHT = 1.2

export type MarkingLines = { lines: string[]; fontSize: number; lineHeight: number }

let measuring: PDFKit.PDFDocument | null = null

/** A document to measure with, made once; nothing is ever drawn on it. */
function measurer(fontSize: number): PDFKit.PDFDocument {
  measuring ??= new PDFDocument({ autoFirstPage: false })
  return measuring.font(FONTS.Roboto.bold, fontSize)
}

/**
 * The most lines the marking's bars take: the most a marking of the longest
 * the model holds (LIMITS.shortText, 500 characters) takes of the widest
 * letters at 8 pt (500 "W"s). A marking that would take more (a board stored
 * before the model cut it to its limit) ends in an ellipsis on the last: a bar
 * taller than the page failed every export of the board (pdfmake threw).
 */
export const MAX_MARKING_LINES = 8
const ELLIPSIS = '…'

/** The marking in at most MAX_MARKING_LINES lines no wider than `width` points, and the size they are set in. */
export function markingLines(marking: string, width: number): MarkingLines {
  // The model holds no longer a marking (board-convert.ts); this keeps the measuring bounded for whatever else comes.
  const kept = cutText(marking, LIMITS.shortText)
  const words = kept.split(/\s+/).filter(Boolean)
  const text = words.join(' ')
  for (const fontSize of MARKING_SIZES) {
    const doc = measurer(fontSize)
    if (kept === marking && doc.widthOfString(text) <= width) return sized([text], doc, fontSize)
  }
  const fontSize = MARKING_SIZES.at(-1)!
  const doc = measurer(fontSize)
  const fits = (line: string) => doc.widthOfString(line) <= width
  const lines = wrap(words, fits, MAX_MARKING_LINES + 1)
  const whole = kept === marking && lines.length <= MAX_MARKING_LINES
  return sized(whole ? lines : withEllipsis(lines.slice(0, MAX_MARKING_LINES), fits), doc, fontSize)
}

function sized(lines: string[], doc: PDFKit.PDFDocument, fontSize: number): MarkingLines {
  return { lines, fontSize, lineHeight: doc.currentLineHeight() * LINE_HEIGHT }
}

/**
 * Greedy, in one pass: as many words as fit on each line; a word wider than a
 * line is cut where it must be, a character at a time onto a line that holds
 * no more than the bar's width. Stops at `maxLines` lines.
 */
function wrap(words: string[], fits: (line: string) => boolean, maxLines: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of words) {
    if (lines.length >= maxLines) break
    const joined = current === '' ? word : `${current} ${word}`
    if (fits(joined)) {
      current = joined
      continue
    }
    if (current !== '') lines.push(current)
    current = ''
    for (const character of word) {
      if (current === '' || fits(current + character)) {
        current += character
        continue
      }
      lines.push(current)
      if (lines.length >= maxLines) break
      current = character
    }
  }
  if (current !== '' && lines.length < maxLines) lines.push(current)
  return lines
}

/** The lines with an ellipsis ending the last, characters taken off its end until it fits. */
function withEllipsis(lines: string[], fits: (line: string) => boolean): string[] {
  const characters = Array.from(lines.at(-1) ?? '')
  while (characters.length > 0 && !fits(`${characters.join('')}${ELLIPSIS}`)) characters.pop()
  return [...lines.slice(0, -1), `${characters.join('')}${ELLIPSIS}`]
}
