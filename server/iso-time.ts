/**
 * `Date.prototype.toISOString`, for the time a keystroke's commit is stored
 * with: V8 formats it in C++ (1 to 3 µs a call on the loaded bench machine,
 * the largest of the relay's own JavaScript in a warm keystroke's profile,
 * BENCHMARKS.md), while keystrokes come many a second. So the text up to the
 * second is kept while that second lasts and only the milliseconds are
 * written; any other time, and an invalid one (which throws RangeError as
 * toISOString does), goes through toISOString itself.
 */
let secondStart = Number.NaN
let secondText = ''

export function isoTime(date: Date): string {
  const ms = date.getTime()
  const intoSecond = ms - secondStart
  if (intoSecond >= 0 && intoSecond < 1000) return `${secondText}${String(intoSecond).padStart(3, '0')}Z`
  const text = date.toISOString()
  // The second's start, below `ms` for a time before 1970 as well; the text ends in "SS.mmmZ".
  secondStart = ms - (((ms % 1000) + 1000) % 1000)
  secondText = text.slice(0, -4)
  return text
}
