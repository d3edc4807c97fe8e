/**
 * How a recorded change holds a long text (a title or judgment): not the
 * whole field before and after, which made every keystroke of two people
 * taking turns at a 20,000-character judgment a 40–120 KB record, but the
 * part that changed with a little context on each side, as a `TextExcerpt`
 * in place of the string. Short texts stay whole strings, as do the changes
 * recorded before this form existed: a reader takes either.
 */

/** `excerpt` is the value's characters from `start` on; the whole value had `length` characters. */
export type TextExcerpt = { excerpt: string; start: number; length: number }

/** Characters of unchanged text kept on each side of what changed. */
export const CONTEXT_CHARS = 20
/** Characters of changed text kept on each side at most: a paste or a deletion of a whole judgment keeps its start. */
export const MAX_CHANGED_CHARS = 200
/** A text of up to this many characters is kept whole. */
export const WHOLE_TEXT_CHARS = 2 * CONTEXT_CHARS + MAX_CHANGED_CHARS

export function isTextExcerpt(value: unknown): value is TextExcerpt {
  if (typeof value !== 'object' || value === null) return false
  const excerpt = value as Partial<TextExcerpt>
  return typeof excerpt.excerpt === 'string' && typeof excerpt.start === 'number' && typeof excerpt.length === 'number'
}

/**
 * The two sides of a text's change as recorded: each whole when short,
 * else the window of it around what changed (the common start and end of
 * the two texts left out but for CONTEXT_CHARS), at the same offset in both.
 */
export function boundedTextChange(from: string | null, to: string | null): { from: string | TextExcerpt | null; to: string | TextExcerpt | null } {
  const before = from ?? ''
  const after = to ?? ''
  if (before.length <= WHOLE_TEXT_CHARS && after.length <= WHOLE_TEXT_CHARS) return { from, to }
  const shorter = Math.min(before.length, after.length)
  let prefix = 0
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++
  let suffix = 0
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++
  const start = Math.max(0, prefix - CONTEXT_CHARS)
  const side = (value: string | null, text: string) => {
    if (value === null || text.length <= WHOLE_TEXT_CHARS) return value
    const end = Math.min(text.length, text.length - suffix + CONTEXT_CHARS, prefix + MAX_CHANGED_CHARS)
    return windowOf(text, start, end)
  }
  return { from: side(from, before), to: side(to, after) }
}

/** The text's characters from `start` to `end`, widened so as not to split a character made of two UTF-16 units. */
function windowOf(text: string, start: number, end: number): TextExcerpt {
  const isLow = (at: number) => at > 0 && at < text.length && (text.charCodeAt(at) & 0xfc00) === 0xdc00
  const from = isLow(start) ? start - 1 : start
  const to = isLow(end) ? end + 1 : end
  return { excerpt: text.slice(from, to), start: from, length: text.length }
}
