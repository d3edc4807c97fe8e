/**
 * HTML read as the text a reader sees. Only text comes out: scripts, styles,
 * attributes (inline handlers, `javascript:` links) and tags are dropped, and
 * entities are decoded to the characters they stand for. The result is stored
 * and shown as plain text, never as HTML. html-to-text is pure JavaScript, so
 * the browser can run this too (load it lazily: it weighs about 75 KB gzipped).
 */
import { convert, type SelectorDefinition } from 'html-to-text'
import { Parser } from 'htmlparser2'
import { LIMITS } from '../limits.ts'
import { ImportError } from './import-error.ts'

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
  refuseDeepNesting(html)
  // No wrapping: one paragraph per line is what the citation parser reads.
  return convert(html, { wordwrap: false, selectors: SELECTORS })
}

/**
 * html-to-text walks the document's tree recursively, so a deep one overflows
 * the stack: nested lists at 1,375 levels on a main thread (the browser's, or
 * the CLI's), 20,000 <div>s (98 KiB) in a worker thread, which the API
 * answered 500. The depth is measured first by the parser html-to-text reads
 * with (htmlparser2), streaming, without building the tree: the depth of the
 * tree it walks, elements left open closing as they do there.
 */
function refuseDeepNesting(html: string): void {
  let depth = 0
  const parser = new Parser({
    onopentag() {
      if (++depth > LIMITS.maxHtmlDepth) {
        throw new ImportError(
          'too-deep',
          `The HTML nests elements more than ${LIMITS.maxHtmlDepth} deep, which no article needs. Save the page as plain text, or paste its text, and import that.`,
        )
      }
    },
    onclosetag() {
      depth--
    },
  })
  parser.end(html)
}
