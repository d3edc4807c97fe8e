/**
 * Member text set inside the briefing's own sentences ("NATO (B2)", a
 * footnote's quotation, a table cell's note) is isolated for the Unicode
 * bidirectional algorithm, so that neither a right-to-left name nor a stray
 * override (U+202E) reorders the server's words after it: a source named
 * "Reuters" + U+202E showed its grade "(A5)" as "(5A)". The model marks each
 * such run with FSI … PDI (U+2068, U+2069), which DOCX and Markdown keep (their
 * readers apply the algorithm and draw neither), HTML writes as `<bdi>`, and
 * the PDF drops, with every other bidi control: pdfmake draws text in the order
 * it is written, where they can reorder nothing and print as boxes.
 */

const FSI = '\u2068'
const PDI = '\u2069'
/** The isolate controls (LRI, RLI, FSI, PDI): a member's own would close or open the run early. */
const ISOLATE_CONTROLS = /[\u2066-\u2069]/g
/** An isolated run as the model marks it, with nothing isolating inside. */
const ISOLATED_RUN = /\u2068([^\u2066-\u2069]*)\u2069/g
/** ALM, LRM, RLM, the embeddings and overrides (LRE, RLE, PDF, LRO, RLO), and the isolates. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

export function isolate(memberText: string): string {
  return `${FSI}${memberText.replace(ISOLATE_CONTROLS, '')}${PDI}`
}

/** Escaped HTML with each isolated run as a `<bdi>` element. */
export function isolatesAsBdi(html: string): string {
  return html.replace(ISOLATED_RUN, '<bdi>$1</bdi>')
}

export function dropBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '')
}
