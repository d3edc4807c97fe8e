/**
 * Where two texts differ: the common prefix and suffix around the one span
 * that changed, in UTF-16 units, both between characters, never inside a
 * surrogate pair. A span starting or ending between a pair's halves is
 * unwritable: Yjs makes a lone half U+FFFD, so "😀" to "😁" (which share
 * their first half) would store two of them, and a merged text holding a
 * lone half reaches other pages as U+FFFD.
 */

export type ChangedSpan = {
  /** Units both texts start with. */
  prefix: number
  /** Units both end with, never reaching into the prefix of either. */
  suffix: number
}

export function changedSpan(before: string, after: string): ChangedSpan {
  let prefix = 0
  while (prefix < before.length && prefix < after.length && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++
  if (isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--
  let suffix = 0
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix++
  if (isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--
  return { prefix, suffix }
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff
