/**
 * Which of a text's spans holds a position, by binary search: the spans are
 * sorted and do not overlap (a text's quotations, sentences, paragraphs).
 * A linear look for each of a text's words costs the product of the two
 * counts, which a member's text decides.
 */

/** A range `[start, end)` of a text. */
export type TextRange = { readonly start: number; readonly end: number }

/** The index of the span holding `position`, or -1 when none does. */
export function spanHolding(spans: readonly TextRange[], position: number): number {
  let low = 0
  let high = spans.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const span = spans[middle]!
    if (position < span.start) high = middle - 1
    else if (position >= span.end) low = middle + 1
    else return middle
  }
  return -1
}
