/**
 * HTML read as the text a reader sees. Only text comes out: scripts, styles,
 * attributes (inline handlers, `javascript:` links) and tags are dropped, and
 * entities are decoded to the characters they stand for. The result is stored
 * and shown as plain text, never as HTML. html-to-text is pure JavaScript, so
 * the browser can run this too (load it lazily: it weighs about 75 KB gzipped).
 */
import { convert, type SelectorDefinition } from 'html-to-text'

/** Not the article's words: images, fallbacks for scripts and plug-ins, embedded pages, form controls. */
const SKIPPED = ['img', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'audio', 'video', 'select', 'button']

const SELECTORS: SelectorDefinition[] = [
  ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
  // An address in brackets after a link's words would read like part of the article.
  { selector: 'a', options: { ignoreHref: true } },
  // Headings keep the author's case: claims and titles are verbatim.
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  { selector: 'table', options: { uppercaseHeaderCells: false } },
]

export function htmlToPlainText(html: string): string {
  // No wrapping: one paragraph per line is what the citation parser reads.
  return convert(html, { wordwrap: false, selectors: SELECTORS })
}
