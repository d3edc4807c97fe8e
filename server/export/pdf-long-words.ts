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
const OVER_LONG_RUN = new RegExp(`\\S{${LONGEST_KEPT_RUN + 1},}`, 'gu')
const ZERO_WIDTH_SPACE = '\u200B'

let graphemes: Intl.Segmenter | undefined

export function breakableLongWords(text: string): string {
  return text.replace(OVER_LONG_RUN, (run) => {
    // Counted in graphemes: a break inside one would split an accent from its letter, or an emoji sequence apart.
    graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
    let broken = ''
    let count = 0
    for (const { segment } of graphemes.segment(run)) {
      if (count === PIECE) {
        broken += ZERO_WIDTH_SPACE
        count = 0
      }
      broken += segment
      count++
    }
    return broken
  })
}
