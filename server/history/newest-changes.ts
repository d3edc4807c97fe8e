/**
 * How many of the newest changes a listing holds. A recorded change holds its
 * field's whole value before and after, whatever it changed, so it is the
 * characters of those values that bound a listing, as well as their number.
 */
import type { AssessmentChangeRecord } from '../storage/storage.ts'

/**
 * Characters of values, before and after, one listing of changes holds at
 * most: a hundred changes of the longest judgment (20,000 characters) fit, and
 * thousands of the usual ones. Without it, one request for 5,000 changes of
 * such a judgment read and sent some 200 MB.
 */
export const MAX_LISTED_VALUE_CHARS = 4_000_000

export const valueChars = (change: AssessmentChangeRecord) => change.fromValue.length + change.toValue.length

/** The newest of `changes` (oldest first): at most `limit` of them, with values of at most `maxChars` in all. */
export function newestWithin<T extends AssessmentChangeRecord>(changes: readonly T[], limit: number, maxChars = MAX_LISTED_VALUE_CHARS): T[] {
  let chars = 0
  let first = changes.length
  while (first > 0 && changes.length - first < limit && chars + valueChars(changes[first - 1]!) <= maxChars) {
    first--
    chars += valueChars(changes[first]!)
  }
  return changes.slice(first)
}
