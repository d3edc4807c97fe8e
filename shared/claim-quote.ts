/**
 * Whether a claim that names a document quotes it: its text exactly the
 * document's from `start` to `end`, in the paragraph it names. A claim that
 * names a document is presented everywhere as that document's words (the
 * briefing's quotes, STIX's `x_assay_quote`), and its words can no longer be
 * corrected: adding one over HTTP refuses it otherwise (requireQuote), the
 * relay takes the provenance off a new one a websocket client writes
 * otherwise, and the board's model, the browser's included, reads one that
 * does not (old data too) as a claim by hand, whose words its editors can
 * correct (isImportedClaim). A document's text is fixed once imported
 * (DOCUMENT_FIXED_FIELDS), so a claim that quotes it keeps quoting it, and
 * one that does not can only be made to by writing the document's own words.
 */
import { entity, readString, type EntityMap } from './board-doc.ts'
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

/** Whether a claim's map on a board names a document the board holds and quotes it there. */
export function quotesHeldDocument(claim: EntityMap): boolean {
  const documentId = claim.get('documentId')
  const document = typeof documentId === 'string' && claim.doc ? entity(claim.doc, 'documents', documentId) : undefined
  if (!document) return false
  const number = (field: string) => {
    const value = claim.get(field)
    return typeof value === 'number' ? value : undefined
  }
  return quoteMismatch(readString(document, 'text'), { text: readString(claim, 'text'), paragraph: number('paragraph'), start: number('start'), end: number('end') }) === null
}
