/**
 * Characters the PDF's font (Roboto, pdf-fonts.ts) has no glyph for: emoji,
 * mathematical letters, CJK and other scripts. pdfmake drew each as the
 * font's empty "missing" glyph, so the reader saw blank space, and laid them
 * out at great cost: a board whose 72 texts were 20,000 characters of emoji
 * took 60 to 88 s of an export worker and up to 1 GB (BENCHMARKS.md,
 * Characters the PDF's font cannot show).
 *
 * Each run of such characters is printed as one replacement character, "�",
 * followed by how many it stands for when more than one ("�×10000"), in one
 * pass over the text; the briefing says once, near its top, that this was
 * done. The other formats keep the characters.
 */
import { createRequire } from 'node:module'
import { FONTS } from './pdf-fonts.ts'

/** In Roboto; the character Unicode sets aside for one that cannot be shown. */
const REPLACEMENT = '\uFFFD'

export const REPLACED_NOTICE =
  'Characters the PDF’s font cannot show (emoji, some symbols and scripts) are printed as �, a run of them as � with their number (�×3); the other export formats keep them.'

/** Every run of characters outside ASCII (which Roboto draws whole): only these need looking up. */
const NON_ASCII_RUN = /[^\u0000-\u007F]+/gu
/** Drawn as nothing whether or not the font has them (a variation selector, a joiner): no reason on their own to replace anything. */
const INVISIBLE = /^[\s\p{Default_Ignorable_Code_Point}]$/u

type GlyphFont = { hasGlyphForCodePoint(codePoint: number): boolean }

let faces: GlyphFont[] | undefined
/** Code point → drawable in all four faces; a briefing has few distinct characters however long it is. */
const drawable = new Map<number, boolean>()

/** The four faces as pdfmake draws them, opened with pdfkit's own font reader (pdfmake's dependency, as in pdf-marking.ts). */
function fontFaces(): GlyphFont[] {
  if (faces) return faces
  const fromPdfkit = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json')).resolve('pdfkit/package.json')
  const fontkit = createRequire(fromPdfkit)('fontkit') as { openSync(path: string): GlyphFont }
  faces = Object.values(FONTS.Roboto).map((path) => fontkit.openSync(path))
  return faces
}

function canDraw(character: string): boolean {
  const codePoint = character.codePointAt(0)!
  let known = drawable.get(codePoint)
  if (known === undefined) {
    known = INVISIBLE.test(character) || fontFaces().every((face) => face.hasGlyphForCodePoint(codePoint))
    drawable.set(codePoint, known)
  }
  return known
}

/** The text with each run of characters the font cannot draw replaced; `replaced` is called for each run. */
export function withDrawableCharacters(text: string, replaced: () => void): string {
  return text.replace(NON_ASCII_RUN, (run) => {
    let out = ''
    let missing = 0
    const closeRun = () => {
      if (missing === 0) return
      out += missing === 1 ? REPLACEMENT : `${REPLACEMENT}×${missing}`
      missing = 0
      replaced()
    }
    for (const character of run) {
      if (!canDraw(character)) missing++
      // An invisible character inside a run (a joiner between two emoji, a variation selector after one) goes with it.
      else if (missing > 0 && INVISIBLE.test(character) && !/\s/u.test(character)) continue
      else {
        closeRun()
        out += character
      }
    }
    closeRun()
    return out
  })
}
