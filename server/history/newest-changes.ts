/**
 * How many of the newest changes a listing holds. A recorded change holds its
 * field's value before and after (a long text's changed part only since
 * shared/text-excerpt.ts, a list's items removed and added since
 * shared/list-excerpt.ts; whole in changes recorded before), so it is the
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

/** The characters of values of all of `changes`. */
export const valueCharsOf = (changes: readonly AssessmentChangeRecord[]) => changes.reduce((sum, change) => sum + valueChars(change), 0)

/** The newest of `changes` (oldest first) whose values come to at most MAX_LISTED_VALUE_CHARS in all. */
export function newestWithin(changes: readonly AssessmentChangeRecord[]): AssessmentChangeRecord[] {
  let chars = 0
  let first = changes.length
  while (first > 0 && chars + valueChars(changes[first - 1]!) <= MAX_LISTED_VALUE_CHARS) {
    first--
    chars += valueChars(changes[first]!)
  }
  return changes.slice(first)
}
