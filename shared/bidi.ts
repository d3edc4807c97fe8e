/**
 * Member text set inside the product's own sentences ("NATO (B2)", a
 * quotation in a check's message or a briefing's footnote) is isolated for
 * the Unicode bidirectional algorithm, so that neither a right-to-left name
 * nor a stray override (U+202E) reorders the words after it: a source named
 * "Reuters" + U+202E showed its grade "(A5)" as "(5A)". Each such run is
 * marked FSI … PDI (U+2068, U+2069), which browsers, DOCX and Markdown readers
 * apply and draw as nothing; the exports write them as `<bdi>` in HTML and
 * drop them in the PDF (server/export/bidi.ts).
 */

export const FSI = '\u2068'
export const PDI = '\u2069'
/** The isolate controls (LRI, RLI, FSI, PDI): a member's own would close or open the run early. */
const ISOLATE_CONTROLS = /[\u2066-\u2069]/g

export function isolate(memberText: string): string {
  return `${FSI}${memberText.replace(ISOLATE_CONTROLS, '')}${PDI}`
}

/** Text as a reader searches it: without the isolate controls, which draw nothing. */
export function withoutIsolates(text: string): string {
  return text.replace(ISOLATE_CONTROLS, '')
}

/** Member text quoted in a sentence: “…”, isolated inside the quotation marks. */
export function quoted(memberText: string): string {
  return `“${isolate(memberText)}”`
}

const PDF = '\u202C'
/** LRE, RLE, LRO, RLO: each open until a PDF (U+202C). */
const EMBEDDINGS_AND_OVERRIDES = /[\u202A\u202B\u202D\u202E]/
/** LRI, RLI, FSI: each open until a PDI, which also closes the embeddings opened inside it. */
const ISOLATE_INITIATORS = /[\u2066-\u2068]/
/** Where the bidi algorithm starts a new paragraph, every control before it ended. */
const PARAGRAPH_SEPARATORS = /[\n\r\u001C-\u001E\u0085\u2029]/

/**
 * The text with every embedding, override and isolate it leaves open closed at
 * its end (PDF, PDI, innermost first), as a cut of member text needs before the
 * product's words that follow it: an editor's change cut short after a U+202E
 * whose U+202C fell past the cut reversed the rest of the history line, the
 * author's name and the time with it. Closers of nothing are left as they are
 * (the algorithm ignores them).
 */
export function withControlsClosed(text: string): string {
  const open: string[] = []
  for (const character of text) {
    if (EMBEDDINGS_AND_OVERRIDES.test(character)) open.push(PDF)
    else if (ISOLATE_INITIATORS.test(character)) open.push(PDI)
    else if (character === PDF) {
      if (open.at(-1) === PDF) open.pop()
    } else if (character === PDI) {
      const at = open.lastIndexOf(PDI)
      if (at !== -1) open.length = at
    } else if (PARAGRAPH_SEPARATORS.test(character)) open.length = 0
  }
  return text + open.reverse().join('')
}
