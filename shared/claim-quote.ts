/**
 * Whether a claim that names a document quotes it: its text exactly the
 * document's from `start` to `end`, in the paragraph it names. A claim that
 * names a document is presented everywhere as that document's words (the
 * briefing's quotes, STIX's `x_assay_quote`), and its text can no longer be
 * corrected: adding one over HTTP refuses it otherwise (requireQuote), the
 * relay takes the provenance off one a websocket client writes otherwise, and
 * the board's model reads one that does not (old data too) as a claim by hand.
 */
import { paragraphHolding } from './paragraphs.ts'

type Quoting = { text: string; paragraph?: number; start?: number; end?: number }

/** Why `claim` does not quote `documentText` where it says, or null when it does. */
export function quoteMismatch(documentText: string, claim: Quoting): string | null {
  const { paragraph, start, end } = claim
  if (paragraph === undefined || start === undefined || end === undefined || documentText.slice(start, end) !== claim.text) {
    return "A claim that names a document must quote it: its text exactly the document's from start to end. Add your own wording as a claim by hand."
  }
  const holding = paragraphHolding(documentText, start, end)
  if (holding !== paragraph) {
    return `A claim that names a document must say which paragraph it quotes: its words from start to end are ${holding === undefined ? 'not within one paragraph' : `in paragraph ${holding} (counted from 0)`}, not ${paragraph}.`
  }
  return null
}
