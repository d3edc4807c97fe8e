/**
 * Merging two people's edits of one plain text field (a value the board
 * stores whole, not a Y.Text): the value both started from (base), this
 * person's text (mine) and the stored value (theirs). Each side's change is
 * the one region between the common prefix and suffix it shares with the
 * base; regions apart are both applied, and regions that overlap keep both
 * versions of the span, the stored one first, so no one's words are dropped.
 * Regions begin and end between characters (changedSpan), so a merge never
 * splits a surrogate pair.
 */
import { changedSpan } from '../../../shared/changed-span.ts'

/** What one side replaced: base[start, end) by `insert`. */
export type Region = { start: number; end: number; insert: string }

export type MergeResult = {
  text: string
  /** Both changed the same span: both versions are in `text`, one after the other. */
  overlapped: boolean
}

/** The one span `changed` differs from `base` in. */
export function regionOf(base: string, changed: string): Region {
  const { prefix, suffix } = changedSpan(base, changed)
  return { start: prefix, end: base.length - suffix, insert: changed.slice(prefix, changed.length - suffix) }
}

/** The side's text for base[from, to), a span that holds its whole region. */
function spanOf(base: string, region: Region, from: number, to: number): string {
  return base.slice(from, region.start) + region.insert + base.slice(region.end, to)
}

/** Two insertions at one place, or a region inside or across the other: their order is not given by the base. */
function overlap(a: Region, b: Region): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start
  return a.start < b.end && b.start < a.end
}

/**
 * Between two kept versions of one span: nothing when either already has
 * white space there, else a line break (multiline) or a space.
 */
function separator(first: string, second: string, multiline: boolean): string {
  if (/\s$/.test(first) || /^\s/.test(second) || first === '' || second === '') return ''
  return multiline ? '\n' : ' '
}

export function mergeThreeWay(base: string, mine: string, theirs: string, multiline = true): MergeResult {
  if (mine === theirs || theirs === base) return { text: mine, overlapped: false }
  if (mine === base) return { text: theirs, overlapped: false }
  const own = regionOf(base, mine)
  const other = regionOf(base, theirs)
  if (!overlap(own, other)) {
    // Ties (an insertion where the other's region starts) put the insertion first.
    const [first, second] = own.start < other.start || (own.start === other.start && own.end <= other.end) ? [own, other] : [other, own]
    return {
      text: base.slice(0, first.start) + first.insert + base.slice(first.end, second.start) + second.insert + base.slice(second.end),
      overlapped: false,
    }
  }
  const from = Math.min(own.start, other.start)
  const to = Math.max(own.end, other.end)
  const stored = spanOf(base, other, from, to)
  const typed = spanOf(base, own, from, to)
  if (stored === typed) return { text: theirs, overlapped: false }
  return { text: base.slice(0, from) + stored + separator(stored, typed, multiline) + typed + base.slice(to), overlapped: true }
}

/**
 * Where a caret at `caret` in `before` belongs once the text shows `after`:
 * it keeps its place relative to the unchanged text on its side, and a caret
 * inside the changed span goes to that span's end.
 */
export function rebaseCaret(before: string, after: string, caret: number): number {
  const { prefix, suffix } = changedSpan(before, after)
  if (caret <= prefix) return caret
  if (caret >= before.length - suffix) return caret + after.length - before.length
  return after.length - suffix
}
