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
 * instead.
 *
 * A window's end looks to the segmenter like the text's end, and a break can
 * depend on what follows it up to the next sentence's end: after "etc. " the
 * sentence goes on if a lowercase letter comes before any other letter, so
 * with 6,600 digits before "then" a window broke there and the whole text
 * did not. A break is only taken, then, when the sentence after it ends
 * inside the window: every sentence but a window's last two is taken, and the
 * next window starts with the second to last. A window holding fewer than
 * three sentences is made twice as long, so that long sentences are found
 * whole (one sentence costs the segmenter its length), and only its first
 * sentence is taken from it.
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
    // The last two sentences found, the earlier first: neither is taken until a third follows, or the window ends with the text.
    const pending: Intl.SegmentData[] = []
    let cutShort = false
    for (const piece of segmenter.segment(text.slice(start, end))) {
      if (pending.length === 2) {
        const taken = pending.shift()!
        yield { segment: taken.segment, index: start + taken.index }
        // A window grown for a long sentence may hold many short ones after it, each costing the window's length: only its first is taken from it.
        cutShort = size > WINDOW_CHARS
        if (cutShort) break
      }
      pending.push(piece)
    }
    if (end === text.length && !cutShort) {
      for (const taken of pending) yield { segment: taken.segment, index: start + taken.index }
      return
    }
    const next = pending[0]!
    if (next.index === 0) {
      size *= 2
    } else {
      start += next.index
      size = WINDOW_CHARS
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
