/**
 * How the exports draw the isolated runs of member text (shared/bidi.ts):
 * DOCX and Markdown keep FSI … PDI (their readers apply the algorithm and draw
 * neither), HTML writes each run as `<bdi>`, and the PDF drops them with every
 * other bidi control: pdfmake draws text in the order it is written, where
 * they can reorder nothing and print as boxes. The machine-readable exports
 * (STIX, JSON) carry the member text without them (isolatesForMachines).
 */
import { FSI, PDI, withControlsClosed } from '../../shared/bidi.ts'

/** An isolated run as shared/bidi.ts marks it, with nothing isolating inside. */
const ISOLATED_RUN = new RegExp(`${FSI}([^\\u2066-\\u2069]*)${PDI}`, 'g')
/** ALM, LRM, RLM, the embeddings and overrides (LRE, RLE, PDF, LRO, RLO), and the isolates. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

/** Escaped HTML with each isolated run as a `<bdi>` element. */
export function isolatesAsBdi(html: string): string {
  return html.replace(ISOLATED_RUN, '<bdi>$1</bdi>')
}

export function dropBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '')
}

/**
 * Text for programs (the STIX bundle, the JSON export's review line): each
 * isolated run as the member text it holds, any override or embedding that
 * text leaves open closed at its end. The isolates are for display, and there
 * a program matching "NATO (B2)" or "Approved by Dana Reyes." found neither
 * (red team 39c). Their reason, an unclosed U+202E in a name reversing the
 * product's words after it (shared/bidi.ts), also holds where a consumer shows
 * the text, which the closing keeps: it adds nothing to text that opens none.
 * So does member text the product did not isolate (a STIX name, abstract or
 * source name is the member's text whole): whatever it leaves open is closed
 * at the end of the string, before what a consumer shows after it (red team
 * 40b: a board titled "Brief " + U+202E + "on Wagner").
 */
export function isolatesForMachines(text: string): string {
  let previous: string
  let current = text
  // Innermost runs first: a quoted title inside an isolated line is a run inside a run.
  do {
    previous = current
    current = previous.replace(ISOLATED_RUN, (_run, inner: string) => withControlsClosed(inner))
  } while (current !== previous)
  return withControlsClosed(current)
}
