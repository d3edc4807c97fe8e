/**
 * The PDF's fonts: Roboto as shipped inside the pdfmake package, which covers
 * Latin with its accents, Greek, Cyrillic and typographic punctuation, so
 * nothing needs installing on the machine.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('pdfmake/package.json')), 'fonts', 'Roboto')

export const FONTS = {
  Roboto: {
    normal: join(FONT_DIR, 'Roboto-Regular.ttf'),
    bold: join(FONT_DIR, 'Roboto-Medium.ttf'),
    italics: join(FONT_DIR, 'Roboto-Italic.ttf'),
    bolditalics: join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
  },
}
