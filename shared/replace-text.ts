import type * as Y from 'yjs'
import { changedSpan } from './changed-span.ts'
import { dropNonStringContent } from './plain-text.ts'

/**
 * Replaces only the changed middle of a shared text (changedSpan, never inside
 * a surrogate pair), so others' cursors before and after it stay put. Content
 * other than characters (shared/plain-text.ts), stored before the relay
 * refused it, goes first: it counts in the text's positions but not in its
 * string, so the middle would miss.
 */
export function replaceText(text: Y.Text, next: string): void {
  dropNonStringContent(text)
  const current = text.toString()
  if (current === next) return
  const { prefix, suffix } = changedSpan(current, next)
  text.delete(prefix, current.length - prefix - suffix)
  text.insert(prefix, next.slice(prefix, next.length - suffix))
}
