/**
 * How a recorded change holds a list (a card's tags, its links): not the whole
 * list before and after, which made each turn of two people at one link of a
 * card linked to a thousand claims a 128 KB record, but on each side the items
 * that side holds and the other does not, with how many items it held in all,
 * as a `ListExcerpt` in place of the array. A change that only reorders a list
 * stays whole, as do the changes recorded before this form existed: a reader
 * takes either through `listChange`.
 */

/** `items` are the side's items the other side lacks (a duplicate once for each copy more); the whole list had `length` items. */
export type ListExcerpt<T = unknown> = { items: T[]; length: number }

/** What a change did to a list: the items it took off and put on, and how many the list held before and after. */
export type ListChange<T = unknown> = { removed: T[]; added: T[]; fromLength: number; toLength: number }

export function isListExcerpt(value: unknown): value is ListExcerpt {
  if (typeof value !== 'object' || value === null) return false
  const part = value as Partial<ListExcerpt>
  return Array.isArray(part.items) && typeof part.length === 'number'
}

/** The two sides of a list's change as recorded: the items added and removed when any were, else (a reordering, or not lists) as given. */
export function boundedListChange(from: unknown, to: unknown): { from: unknown; to: unknown } {
  if (!Array.isArray(from) || !Array.isArray(to)) return { from, to }
  const change = listChange(from, to)!
  return change.removed.length === 0 && change.added.length === 0 ? { from, to } : listExcerpts(change)
}

/** A list's change as recorded in the short form. */
export function listExcerpts<T>(change: ListChange<T>): { from: ListExcerpt<T>; to: ListExcerpt<T> } {
  return { from: { items: change.removed, length: change.fromLength }, to: { items: change.added, length: change.toLength } }
}

/**
 * What a recorded change did to a list, from either form: two excerpts, or
 * the whole lists (null, a card that was not there, as an empty one). Null
 * when a side is neither.
 */
export function listChange<T>(from: unknown, to: unknown): ListChange<T> | null {
  if (isListExcerpt(from) && isListExcerpt(to)) return { removed: from.items as T[], added: to.items as T[], fromLength: from.length, toLength: to.length }
  const before = from ?? []
  const after = to ?? []
  if (!Array.isArray(before) || !Array.isArray(after)) return null
  const { less, more } = netCounts([...before.map((item) => [item, -1] as const), ...after.map((item) => [item, 1] as const)])
  return { removed: less as T[], added: more as T[], fromLength: before.length, toLength: after.length }
}

/** Two changes of one list, one after the other, as one: an item the second puts back after the first took it off is no change. */
export function joinedListChanges<T>(first: ListChange<T>, second: ListChange<T>): ListChange<T> {
  const counted = (items: T[], count: 1 | -1) => items.map((item) => [item, count] as const)
  const { less, more } = netCounts([...counted(first.removed, -1), ...counted(first.added, 1), ...counted(second.removed, -1), ...counted(second.added, 1)])
  return { removed: less, added: more, fromLength: first.fromLength, toLength: second.toLength }
}

/** Items (compared as JSON) with how many of each are taken off or put on: those fewer in all, and those more, in the order first met. */
function netCounts<T>(counted: readonly (readonly [T, 1 | -1])[]): { less: T[]; more: T[] } {
  const net = new Map<string, { item: T; count: number }>()
  for (const [item, count] of counted) {
    const key = JSON.stringify(item)
    const entry = net.get(key) ?? { item, count: 0 }
    entry.count += count
    net.set(key, entry)
  }
  const less: T[] = []
  const more: T[] = []
  for (const { item, count } of net.values()) {
    for (let i = 0; i < -count; i++) less.push(item)
    for (let i = 0; i < count; i++) more.push(item)
  }
  return { less, more }
}
