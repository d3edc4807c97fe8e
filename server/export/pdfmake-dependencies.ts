/**
 * pdfmake's own dependencies, as pdfmake loads them: pdfkit, which draws and
 * measures its text, and fontkit, pdfkit's font reader. Measuring with the
 * same copies keeps our measurements equal to pdfmake's layout
 * (pdf-marking.ts) and our glyph checks equal to what it draws
 * (pdf-missing-glyphs.ts), whatever versions the install resolves.
 */
import { createRequire } from 'node:module'

const fromPdfmake = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json'))

export function pdfkit(): typeof import('pdfkit') {
  return fromPdfmake('pdfkit') as typeof import('pdfkit')
}

/** The font reader, loaded on first use: a briefing of ASCII text never needs it. */
export function fontkit<T>(): T {
  return createRequire(fromPdfmake.resolve('pdfkit/package.json'))('fontkit') as T
}
