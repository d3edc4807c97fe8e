/**
 * Break opportunities in the PDF's over-long words. pdfmake cuts a word wider
 * than its line by measuring ever-shorter prefixes of all that is left of it,
 * line after line: a cost that grows with the square of the word's length. A
 * 20,000-character bottom line without a space (within the limits, set by any
 * member who may edit) took some 17 s of an export worker, a judgment or a
 * quoted claim as long as much again.
 *
 * A run of more than LONGEST_KEPT_RUN characters without a space gets a
 * zero-width space after every PIECE characters: pdfmake's line breaker (the
 * Unicode algorithm) may break after one, and the font draws it with no
 * width, so the run costs what as many short words do, and pdftotext reads it
 * back whole. A text extractor that splits words (pdftotext -bbox) splits the
 * run at those points; shorter runs, which cost little however they are cut
 * (a URL, a hash, an id), are left exactly as written.
 */

/** About three lines of body text: a run this long costs a few measurements per line, once. */
const LONGEST_KEPT_RUN = 200
/** Short enough that a line wrapped between pieces is nearly full. */
const PIECE = 20
export const ZERO_WIDTH_SPACE = '\u200B'
/** A run without a space, or a break opportunity already given (a table cell's, render-pdf.ts). */
const OVER_LONG_RUN = new RegExp(`[^\\s${ZERO_WIDTH_SPACE}]{${LONGEST_KEPT_RUN + 1},}`, 'gu')
/**
 * The code units segmented at once. Node's grapheme segmenter takes time that
 * grows with the square of the text it walks (16,000 letters 0.5 s, 20,000
 * 0.8 s: 72 such texts took 15 s of an export); walked in windows this long
 * it is linear (the quickest of 64 to 4,096 units), and a window holds many
 * whole graphemes (the text model allows at most 30 marks on a letter).
 */
const WINDOW = 256
/** Printable ASCII: each character a grapheme of its own, with no segmenter needed (but for a mark the next window may start with). */
const PRINTABLE_ASCII = /^[\x21-\x7E]*$/

let graphemes: Intl.Segmenter | undefined

export function breakableLongWords(text: string): string {
  return text.replace(OVER_LONG_RUN, (run) => withBreaksEvery(run, PIECE))
}

/** The run with a zero-width space after every `piece` graphemes (a break inside one would split an accent from its letter, or an emoji sequence apart). */
export function withBreaksEvery(run: string, piece: number): string {
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  let broken = ''
  let count = 0
  let from = 0
  while (from < run.length) {
    let to = Math.min(run.length, from + WINDOW)
    // Never between the two halves of a surrogate pair.
    if (to < run.length && /[\uDC00-\uDFFF]/.test(run[to]!)) to++
    const window = run.slice(from, to)
    const segments = PRINTABLE_ASCII.test(window) ? window.split('') : Array.from(graphemes.segment(window), (s) => s.segment)
    // The window's last grapheme may go on past it: it starts the next window, unless it is the run's end or all the window holds.
    if (to < run.length && segments.length > 1) segments.pop()
    for (const segment of segments) {
      if (count === piece) {
        broken += ZERO_WIDTH_SPACE
        count = 0
      }
      broken += segment
      count++
      from += segment.length
    }
  }
  return broken
}
