/**
 * The one rule for what text a board may hold. Some characters no document
 * format can carry: XML 1.0 (and so DOCX, HTML as XHTML, STIX consumers'
 * parsers) forbids most control characters, U+FFFE, U+FFFF and lone
 * surrogates; the other noncharacters are reserved for a program's internal
 * use, and no font draws any of them. Pasted text brings them (PDFs, terminals,
 * word processors), and a hostile client can send them on purpose.
 *
 * Where text comes in as a value the server can rewrite (HTTP bodies, imports,
 * the mutations the browser and the server share), they are dropped, line
 * breaks of every kind become "\n", and a lone surrogate becomes U+FFFD (what
 * the UTF-8 every replica receives would make of it anyway, and a visible sign
 * that a character was broken). Where it cannot (a Yjs update from a websocket),
 * the update is refused instead: see server/relay/validate-update.ts.
 *
 * A letter carrying a long run of combining marks is drawn as one cluster,
 * shaped whole each time the page lays it out: one letter with 60,000 U+0301
 * held a colleague's tab 16 to 20 s as the card was selected, 200,000 over
 * four minutes. No script needs more than a handful on one character, and
 * Unicode's Stream-Safe Text Format (UAX #15) caps a run of them at 30: a
 * longer run is cut to its first 30 where text can be rewritten, refused where
 * it cannot, as above.
 */
import { z } from 'zod'

/** Carriage returns (alone or before a newline), vertical tabs, form feeds and NEL: line breaks by another name. */
const FOREIGN_LINE_BREAK = /\r\n?|[\v\f\u0085]/g

/**
 * Control characters but tab and newline; noncharacters (U+FDD0–U+FDEF and the
 * last two code points of every plane, U+FFFE and U+FFFF among them); surrogate
 * halves without their other half (with the `u` flag a proper pair is one code
 * point and does not match).
 */
const UNCARRIABLE = /[^\P{Cc}\t\n]|\p{Noncharacter_Code_Point}|[\uD800-\uDFFF]/u
const UNCARRIABLE_ALL = new RegExp(UNCARRIABLE.source, 'gu')
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu

/** The longest run of combining marks one character may carry (UAX #15's Stream-Safe Text Format). */
export const MAX_MARK_RUN = 30

/**
 * A character that carries on the one before it instead of starting one of its
 * own: a combining mark of any kind, anything else that extends a grapheme,
 * and the zero width joiner (which joins, say, the emoji of a family).
 */
const CARRIED_ON = '[\\p{M}\\p{Grapheme_Extend}\\u200D]'
const LONG_MARK_RUN = new RegExp(`${CARRIED_ON}{${MAX_MARK_RUN + 1}}`, 'u')
const LONG_MARK_RUN_TAIL = new RegExp(`(${CARRIED_ON}{${MAX_MARK_RUN}})${CARRIED_ON}+`, 'gu')
const MARKS_AT_START = new RegExp(`^${CARRIED_ON}*`, 'u')
const MARKS_AT_END = new RegExp(`${CARRIED_ON}*$`, 'u')

/** Whether the text holds a run of more than MAX_MARK_RUN combining marks. */
export function hasLongMarkRun(text: string): boolean {
  return LONG_MARK_RUN.test(text)
}

/**
 * How many combining marks the text begins and ends with, and whether it is
 * nothing else: how its runs join a neighbour's.
 */
export function markRunEnds(text: string): { leading: number; trailing: number; onlyMarks: boolean } {
  const leading = MARKS_AT_START.exec(text)![0]
  const marks = (run: string) => [...run].length
  return { leading: marks(leading), trailing: marks(MARKS_AT_END.exec(text)![0]), onlyMarks: leading.length === text.length }
}

/**
 * The longest run of marks that `text`, put between a run of `before` marks
 * and one of `after`, makes with them; 0 where it adds no mark to either
 * (typing after a long run stored before the rule only ends it). The runs
 * inside the text are hasLongMarkRun's.
 */
export function joinedMarkRun(before: number, text: string, after: number): number {
  const { leading, trailing, onlyMarks } = markRunEnds(text)
  if (onlyMarks) return leading === 0 ? 0 : before + leading + after
  return Math.max(leading === 0 ? 0 : before + leading, trailing === 0 ? 0 : trailing + after)
}

/**
 * The text with line breaks made "\n", lone surrogates U+FFFD, every other
 * character no format can carry dropped, and each run of combining marks cut
 * to its first MAX_MARK_RUN.
 */
export function cleanText(text: string): string {
  const carriable = UNCARRIABLE.test(text) ? text.replace(FOREIGN_LINE_BREAK, '\n').replace(LONE_SURROGATE, '\uFFFD').replace(UNCARRIABLE_ALL, '') : text
  return hasLongMarkRun(carriable) ? carriable.replace(LONG_MARK_RUN_TAIL, '$1') : carriable
}

/**
 * Every string in a plain value (a board model, a briefing) cleaned: what the
 * renderers apply, so a board stored before the rule, or written by an older
 * client, still exports to XML that parses.
 */
export function cleanTextIn<T>(value: T): T {
  return mapTextIn(value, cleanText)
}

/** Every string in a plain value passed through `map`. */
export function mapTextIn<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => mapTextIn(v, map)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, mapTextIn(v, map)])) as T
  }
  return value
}

/** True when `cleanText` would change the text: what a value that cannot be rewritten is refused for. */
export function hasUncarriableText(text: string): boolean {
  return UNCARRIABLE.test(text) || hasLongMarkRun(text)
}

/** A human-readable name of the first offending character, for error messages and logs: "U+FFFE", or the long run of marks. */
export function firstUncarriable(text: string): string | null {
  const match = UNCARRIABLE.exec(text)
  if (match) return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  return hasLongMarkRun(text) ? LONG_RUN_NAME : null
}

/** How a refusal names a run of marks past the bound. */
export const LONG_RUN_NAME = `a run of more than ${MAX_MARK_RUN} combining marks on one character`

/**
 * A string field of a body, an import or a mutation: cleaned before any other
 * check (trim, length), so a limit counts what is stored.
 */
export function textField(): z.ZodString {
  return z.string().overwrite(cleanText)
}
