/**
 * What one transaction did to the texts of a document, read in its
 * afterTransaction event: then the content it deleted is still there (Yjs
 * collects it after that event). Costs what the transaction changed, where
 * reading a text whole costs its length: a fold that read a judgment after
 * each of 20,000 keystrokes spent 87 s doing so (BENCHMARKS.md).
 */
import * as Y from 'yjs'

/**
 * The strings a transaction made visible in one text and those it removed; `other` when it inserted or removed
 * anything but a string; `formatted` when it inserted formatting marks (which change no string, but may split a pair). `items` are the items inserted; `edges` the ids (`idKey`) of the units an insertion or a
 * deletion starts or ends right after, where Yjs may have split a surrogate pair.
 */
export type TextEdit = { inserted: string[]; deleted: string[]; other: boolean; formatted: boolean; items: Y.Item[]; edges: string[] }

export const idKey = (client: number, clock: number) => `${client}:${clock}`

const newEdit = (): TextEdit => ({ inserted: [], deleted: [], other: false, formatted: false, items: [], edges: [] })

/** Each text the transaction inserted content into or deleted content from, with what. */
export function textEdits(transaction: Y.Transaction): Map<Y.Text, TextEdit> {
  const edits = new Map<Y.Text, TextEdit>()
  const note = (item: Y.Item, into: 'inserted' | 'deleted') => {
    if (!(item.parent instanceof Y.Text) || (!item.countable && into === 'deleted')) return
    const edit = edits.get(item.parent) ?? newEdit()
    edits.set(item.parent, edit)
    if (!item.countable) edit.formatted = true
    else if (item.content instanceof Y.ContentString) edit[into].push(item.content.str)
    else edit.other = true
    if (into === 'inserted') {
      edit.items.push(item)
      if (item.origin) edit.edges.push(idKey(item.origin.client, item.origin.clock))
      if (item.rightOrigin) edit.edges.push(idKey(item.rightOrigin.client, item.rightOrigin.clock - 1))
    } else {
      edit.edges.push(idKey(item.id.client, item.id.clock - 1), idKey(item.id.client, item.id.clock + item.length - 1))
    }
  }
  const { store } = transaction.doc
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0
    const structs = store.clients.get(client)
    if (after <= before || !structs) continue
    // Inserted and deleted within the transaction, content was never visible.
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i]!
      if (struct instanceof Y.Item && !struct.deleted) note(struct, 'inserted')
    }
  }
  for (const [client, ranges] of transaction.deleteSet.clients) {
    const before = transaction.beforeState.get(client) ?? 0
    const structs = store.clients.get(client)
    if (!structs) continue
    for (const { clock, len } of ranges) {
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
        const struct = structs[i]!
        if (!(struct instanceof Y.Item) || struct.id.clock >= before) continue
        // Yjs splits an item where a deletion starts and ends; one not split so is read as unknown, not guessed at.
        if (struct.id.clock < clock || struct.id.clock + struct.length > clock + len) {
          if (struct.parent instanceof Y.Text) edits.set(struct.parent, { ...(edits.get(struct.parent) ?? newEdit()), other: true })
          continue
        }
        note(struct, 'deleted')
      }
    }
  }
  return edits
}

/**
 * Where a text holds a surrogate pair, by the id of its first unit. Yjs splitting an item between the two units of a
 * pair replaces both with U+FFFD in place (yjs#248): what the text held before such a split is read from here.
 */
export type SurrogatePairs = Map<string, string>

/** The pairs of a text as it stands. */
export function surrogatePairs(text: Y.Text): SurrogatePairs {
  const pairs: SurrogatePairs = new Map()
  for (let item = text._start; item !== null; item = item.right) if (!item.deleted) notePairs(pairs, item)
  return pairs
}

/** Notes the pairs an item holds. */
export function notePairs(pairs: SurrogatePairs, item: Y.Item): void {
  if (!(item.content instanceof Y.ContentString)) return
  const { str } = item.content
  for (let i = 0; i < str.length - 1; i++) {
    const [unit, next] = [str.charCodeAt(i), str.charCodeAt(i + 1)]
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) pairs.set(idKey(item.id.client, item.id.clock + i), str.slice(i, i + 2))
  }
}

/** The pairs the edit split, taken out of `pairs` (they no longer stand). */
export function splitPairs(pairs: SurrogatePairs, edit: TextEdit): SurrogatePairs {
  const split: SurrogatePairs = new Map()
  for (const edge of edit.edges) {
    const pair = pairs.get(edge)
    if (pair === undefined) continue
    split.set(edge, pair)
    pairs.delete(edge)
  }
  return split
}

/**
 * The text's string (as `toString` reads it) before the transaction: what it holds now, less what the transaction
 * inserted, with what it deleted, and the pairs it split (`split`) as they were.
 */
export function textBefore(text: Y.Text, transaction: Y.Transaction, split: SurrogatePairs = new Map()): string {
  let before = ''
  for (let item = text._start; item !== null; item = item.right) {
    if (!item.countable || !(item.content instanceof Y.ContentString)) continue
    const insertedNow = item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)
    const visibleBefore = !insertedNow && (!item.deleted || Y.isDeleted(transaction.deleteSet, item.id))
    if (visibleBefore) before += split.size === 0 ? item.content.str : unsplit(item, split)
  }
  return before
}

function unsplit(item: Y.Item, split: SurrogatePairs): string {
  const { str } = item.content as Y.ContentString
  const { client, clock } = item.id
  return str.replace(/\uFFFD/g, (replacement, at: number) => split.get(idKey(client, clock + at))?.[0] ?? split.get(idKey(client, clock + at - 1))?.[1] ?? replacement)
}
