/**
 * How the exports draw the isolated runs of member text (shared/bidi.ts):
 * DOCX and Markdown keep FSI … PDI (their readers apply the algorithm and draw
 * neither), HTML writes each run as `<bdi>`, and the PDF drops them with every
 * other bidi control: pdfmake draws text in the order it is written, where
 * they can reorder nothing and print as boxes.
 */
import { FSI, PDI } from '../../shared/bidi.ts'

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
