/**
 * What a card, chip or row shows of a text whose lines CSS clamps (.clamp-lines):
 * its start, never the whole. The page lays out all the text an element holds,
 * clamped or not, so a judgment of 20,000 characters (or 200,000, past its limit
 * through the relay) cost each card its whole layout at every render, and one of
 * thousands of combining marks froze the tab for seconds. A few hundred
 * characters fill more lines than any clamp shows; the whole text is in the
 * inspector and the tooltip.
 */
import { withControlsClosed } from '../../../shared/bidi.ts'

/** Characters a preview holds at most: more than the widest card shows in its clamped lines. */
export const PREVIEW_CHARS = 400

/**
 * The text's first PREVIEW_CHARS characters (never half of a surrogate pair), with an ellipsis where it goes on,
 * and no override or isolate the cut left open over the ellipsis and the words after it.
 */
export function previewText(text: string): string {
  if (text.length <= PREVIEW_CHARS) return text
  const high = text.charCodeAt(PREVIEW_CHARS - 1)
  const end = high >= 0xd800 && high <= 0xdbff ? PREVIEW_CHARS - 1 : PREVIEW_CHARS
  return `${withControlsClosed(text.slice(0, end))}…`
}
