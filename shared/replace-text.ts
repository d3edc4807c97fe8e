import type * as Y from 'yjs'
import { dropNonStringContent } from './plain-text.ts'

/**
 * Replaces only the changed middle of a shared text, so others' cursors before
 * and after it stay put. Content other than characters (shared/plain-text.ts),
 * stored before the relay refused it, goes first: it counts in the text's
 * positions but not in its string, so the middle would miss. The middle begins and ends between characters, never
 * inside a surrogate pair: Yjs makes both halves of a pair it splits U+FFFD, so
 * "😀" to "😁" (which share their first half) stored two of them.
 */
export function replaceText(text: Y.Text, next: string): void {
  dropNonStringContent(text)
  const current = text.toString()
  if (current === next) return
  let start = 0
  while (start < current.length && start < next.length && current[start] === next[start]) start++
  if (isHighSurrogate(current.charCodeAt(start - 1))) start--
  let end = 0
  while (
    end < current.length - start &&
    end < next.length - start &&
    current[current.length - 1 - end] === next[next.length - 1 - end]
  )
    end++
  if (isLowSurrogate(current.charCodeAt(current.length - end))) end--
  text.delete(start, current.length - start - end)
  text.insert(start, next.slice(start, next.length - end))
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff
