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

/** The text with line breaks made "\n", lone surrogates U+FFFD, and every other character no format can carry dropped. */
export function cleanText(text: string): string {
  if (!UNCARRIABLE.test(text)) return text
  return text.replace(FOREIGN_LINE_BREAK, '\n').replace(LONE_SURROGATE, '\uFFFD').replace(UNCARRIABLE_ALL, '')
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
  return UNCARRIABLE.test(text)
}

/** A human-readable name of the first offending character, for error messages and logs: "U+FFFE". */
export function firstUncarriable(text: string): string | null {
  const match = UNCARRIABLE.exec(text)
  if (!match) return null
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * A string field of a body, an import or a mutation: cleaned before any other
 * check (trim, length), so a limit counts what is stored.
 */
export function textField(): z.ZodString {
  return z.string().overwrite(cleanText)
}
