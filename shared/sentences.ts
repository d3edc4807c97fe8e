/**
 * The sentences of English text, as Intl.Segmenter finds them. The segmenter
 * is made at its first use: made as a module loads, it loads ICU's
 * segmentation data into every process that imports the module, whether or
 * not it ever reads a sentence.
 *
 * V8's segments cost in proportion to their place in the text they were cut
 * from (each step walks from its start), so a text segmented whole costs the
 * square of its length: 200,000 characters of short sentences took 12.5 s,
 * which a member's judgment typed into the board made the browser's checks of
 * it spend on every edit. The segmenter is given windows of WINDOW_CHARS
 * instead: every sentence but a window's last is taken, and the next window
 * starts with that last one, which may go on past it; a window holding one
 * sentence only is made twice as long, so that a long sentence is found whole
 * (one sentence costs the segmenter its length), and only that sentence is
 * taken from it.
 */
let segmenter: Intl.Segmenter | undefined

const WINDOW_CHARS = 4096

export type SentenceSegment = { segment: string; index: number }

/** The text's sentences, in order, covering it: each with its index in the text. */
export function* sentenceSegments(text: string): Generator<SentenceSegment> {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' })
  let start = 0
  let size = WINDOW_CHARS
  while (start < text.length) {
    let end = Math.min(text.length, start + size)
    // A character of two code units stays whole.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--
    let last: Intl.SegmentData | undefined
    let cutShort = false
    for (const piece of segmenter.segment(text.slice(start, end))) {
      if (last) yield { segment: last.segment, index: start + last.index }
      last = piece
      // A window grown for a long sentence may hold many short ones after it, each costing the window's length: only the long one is taken from it.
      cutShort = size > WINDOW_CHARS && last.index > 0
      if (cutShort) break
    }
    if (!last) return
    if (end === text.length && !cutShort) {
      yield { segment: last.segment, index: start + last.index }
      return
    }
    if (last.index === 0) {
      size *= 2
    } else {
      start += last.index
      size = WINDOW_CHARS
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
