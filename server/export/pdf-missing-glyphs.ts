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
import { FONTS } from './pdf-fonts.ts'
import { fontkit } from './pdfmake-dependencies.ts'

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

/**
 * Whether all four faces draw each code point, UNKNOWN until looked up: one
 * byte for each of Unicode's 1,114,112, made on the first look-up. A worker
 * lives on from export to export, and a map keyed by code point grew by every
 * character any board it exported held, without bound; this is 1.1 MB at
 * most, and a look-up one array read.
 */
const UNKNOWN = 0
const DRAWN = 1
const NOT_DRAWN = 2
let drawable: Uint8Array | undefined

/** The four faces as pdfmake draws them, opened with pdfkit's own font reader. */
function fontFaces(): GlyphFont[] {
  faces ??= Object.values(FONTS.Roboto).map((path) => fontkit<{ openSync(path: string): GlyphFont }>().openSync(path))
  return faces
}

function canDraw(character: string): boolean {
  const codePoint = character.codePointAt(0)!
  drawable ??= new Uint8Array(0x110000)
  if (drawable[codePoint] === UNKNOWN) {
    const drawn = INVISIBLE.test(character) || fontFaces().every((face) => face.hasGlyphForCodePoint(codePoint))
    drawable[codePoint] = drawn ? DRAWN : NOT_DRAWN
  }
  return drawable[codePoint] === DRAWN
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
