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
