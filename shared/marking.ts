/**
 * The one rule for a board's handling marking: a marking that looks like a
 * TLP label is that label, to every program as to every eye. The exports
 * (STIX's OASIS marking definition, the briefing's coloured bar), the banner
 * and the board list act on the TLP level a program reads (`tlpOf`); an
 * editor who could write "TLP:RED" so that it reads RED to a person and
 * nothing to a program would have a TLP:RED board shared as unmarked.
 *
 * - Stored (`normalizeMarking`): NFKC, so fullwidth, mathematical and circled
 *   letters become the letters they are drawn as ("ＴＬＰ：ＲＥＤ" is TLP:RED),
 *   and without the characters that draw nothing: format characters (zero
 *   width spaces and joiners, bidi controls, soft hyphens) and every other
 *   default-ignorable code point (the combining grapheme joiner, variation
 *   selectors, the Hangul fillers). A zero-width space split "TLP:RED" for a
 *   program and not for an eye; a right-to-left override showed
 *   "TLP:\u202EDER" as "TLP:RED".
 * - Read (`tlpOf`): through the marking's lookalike skeleton, accents and
 *   other marks set aside and letters of other scripts that are drawn like
 *   Latin ones (marking-lookalikes.ts) taken for those, so a marking stored
 *   before this rule ("TLP:R\u0415D", a Cyrillic Е) is read for the label it
 *   shows.
 * - Refused (`markingMisspelling`), over HTTP, in the browser's mutations and
 *   on the websocket: a marking whose skeleton reads another TLP level than
 *   its plain letters do. The label must be written in the Latin letters FIRST
 *   TLP 2.0 uses, so that every program that searches the text (a mail
 *   gateway, a STIX consumer's statement) finds it.
 *
 * Any other marking, in any script, stands as written: national
 * classifications ("OFFICIAL-SENSITIVE", "SECRET//NOFORN", "СЕКРЕТНО",
 * "機密") are free text the exports print without a TLP level.
 */
import { TLP_MARKINGS, type TlpMarking } from './domain.ts'
import { LIMITS } from './limits.ts'
import { LOOKALIKE_OF } from './marking-lookalikes.ts'

/**
 * How much of a marking is read: the API stores at most LIMITS.shortText
 * characters and the board reads a longer one written into its document cut
 * to that (shared/within-limits.ts), so only its start is ever shown or read
 * for a TLP level. Four times the limit leaves room for an honest marking's
 * invisible characters, which are dropped; reading all of a hostile one cost
 * every read of the board and the relay's check of it 1.3 s for 4 million
 * characters (a websocket frame may carry 16 MiB).
 */
const MARKING_READ_CHARS = 4 * LIMITS.shortText

/** Characters that draw nothing: format characters and the other default-ignorable code points. */
const DRAWS_NOTHING = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu
const MARKS = /\p{M}/gu

/**
 * A TLP label standing as a whole word: "TLP" (optionally a colon, spaces
 * either side) then a level, neither glued to a letter, a digit or a mark, so
 * "TLP:REDACTED", "XTLP:RED" and "TLP:RED\u0301" (an accented D) are no
 * label. Any case, as a reader takes it.
 */
const TLP_LABEL = /(?<![\p{L}\p{N}\p{M}])TLP\s*:?\s*(AMBER\+STRICT|AMBER|CLEAR|GREEN|RED)(?![\p{L}\p{N}\p{M}])/giu

/** The marking as the board stores it (see above), its first MARKING_READ_CHARS read; trimming and the length limit are the schema's. */
export function normalizeMarking(marking: string): string {
  // Dropped before NFKC too, so that a mark after an invisible character composes with the letter it is drawn on.
  return markingStart(marking).replace(DRAWS_NOTHING, '').normalize('NFKC').replace(DRAWS_NOTHING, '')
}

/** The first MARKING_READ_CHARS code units of a marking, a surrogate pair at the cut kept whole or left out. */
function markingStart(marking: string): string {
  if (marking.length <= MARKING_READ_CHARS) return marking
  const last = marking.charCodeAt(MARKING_READ_CHARS - 1)
  return marking.slice(0, last >= 0xd800 && last <= 0xdbff ? MARKING_READ_CHARS - 1 : MARKING_READ_CHARS)
}

/** What a reader takes the marking for: marks set aside, lookalikes taken for the Latin characters they are drawn like. */
function lookalikeSkeleton(marking: string): string {
  const bare = normalizeMarking(marking).normalize('NFD').replace(MARKS, '')
  let skeleton = ''
  for (const character of bare) skeleton += LOOKALIKE_OF.get(character) ?? character
  return skeleton
}

/** The strictest TLP label spelled in `text` as it is, or null. */
function strictestLabel(text: string): TlpMarking | null {
  let strictest = -1
  for (const [, level] of text.matchAll(TLP_LABEL)) {
    strictest = Math.max(strictest, TLP_MARKINGS.indexOf(`TLP:${level!.toUpperCase()}` as TlpMarking))
  }
  return TLP_MARKINGS[strictest] ?? null
}

/**
 * The TLP level a reader sees in a marking: the most restrictive TLP label
 * that stands anywhere in it, read as an eye reads it (invisible characters
 * ignored, lookalikes taken for the letters they look like: "TLP:\u200BRED",
 * "TLP:R\u0415D", "TLP:RED // NOFORN" and "tlp:red" are TLP:RED). A marking
 * naming several levels is read as the strictest, even "NOT TLP:RED": a
 * briefing marked more strictly than meant can be re-marked, one marked less
 * strictly has been shared too widely.
 */
export function tlpOf(marking: string): TlpMarking | null {
  return strictestLabel(lookalikeSkeleton(marking))
}

/**
 * Why a marking must be refused: it shows a TLP label its letters do not
 * spell (a Cyrillic letter, an accent, a lookalike colon in it), or spells one
 * a reader does not see; null when the two agree.
 */
export function markingMisspelling(marking: string): string | null {
  const shown = tlpOf(marking)
  const spelled = strictestLabel(normalizeMarking(marking))
  if (shown === spelled) return null
  if (shown === null) return `the marking spells ${spelled} where a reader sees no TLP label: write the label apart, in plain Latin letters`
  return `the marking reads as ${shown} but is not written with its letters (a lookalike of another script, an accent or a lookalike colon): write it in plain Latin letters, "${shown}"`
}
