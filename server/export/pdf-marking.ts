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
import { createRequire } from 'node:module'
import { FONTS } from './pdf-fonts.ts'

const PDFDocument = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json'))('pdfkit') as typeof import('pdfkit')

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

/** The marking in lines no wider than `width` points, and the size they are set in. */
export function markingLines(marking: string, width: number): MarkingLines {
  const words = marking.split(/\s+/).filter(Boolean)
  const text = words.join(' ')
  for (const fontSize of MARKING_SIZES) {
    const doc = measurer(fontSize)
    if (doc.widthOfString(text) <= width) return sized([text], doc, fontSize)
  }
  const fontSize = MARKING_SIZES.at(-1)!
  const doc = measurer(fontSize)
  return sized(wrap(words, (line) => doc.widthOfString(line) <= width), doc, fontSize)
}

function sized(lines: string[], doc: PDFKit.PDFDocument, fontSize: number): MarkingLines {
  return { lines, fontSize, lineHeight: doc.currentLineHeight() * LINE_HEIGHT }
}

/** Greedy: as many words as fit on each line; a word wider than a line is cut where it must be. */
function wrap(words: string[], fits: (line: string) => boolean): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of words) {
    const joined = current === '' ? word : `${current} ${word}`
    if (fits(joined)) {
      current = joined
      continue
    }
    if (current !== '') lines.push(current)
    let rest = Array.from(word)
    while (!fits(rest.join(''))) {
      let cut = 1
      while (cut < rest.length && fits(rest.slice(0, cut + 1).join(''))) cut++
      lines.push(rest.slice(0, cut).join(''))
      rest = rest.slice(cut)
    }
    current = rest.join('')
  }
  if (current !== '') lines.push(current)
  return lines
}
