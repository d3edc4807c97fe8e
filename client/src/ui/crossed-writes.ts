/**
 * Writes of one plain text field (a map key) that crossed: made over the same
 * entry, so that the document keeps one (the winner) and deletes the others
 * as Yjs orders them. Any page that integrates such a write finds it here,
 * so that the words are merged back though the page of the write dropped is
 * gone (closed, or reloaded offline: its record of its own writes is lost).
 *
 * Read in the transaction that integrated the write ('afterTransaction'):
 * Yjs collects a deleted entry's content only at the transaction's end, so
 * the dropped text is still there. `_map`, `left` and `content` are Yjs's own
 * (typed, not documented), as in field-write.ts, which tells what each write was
 * made over (writtenOver) for every reader of a field's writes; crossed-writes.test.ts
 * pins the behaviour relied on.
 */
import * as Y from 'yjs'
import { holdsWrite, writtenOver } from './field-write.ts'
import { mergeThreeWay, type MergeResult } from './three-way-merge.ts'

export type Crossing = {
  /** The value the document kept. */
  winner: string
  /** The Yjs client id of the page that wrote the value kept. */
  winnerClient: number
  /** The kept write, `client:clock` as FieldWrite.id names it. */
  winnerWrite: string
  /** The latest values of the writes dropped, in the document's order (the same on every page). */
  losers: { text: string; client: number }[]
  /** The value both were made over, when the document still holds it. */
  base: string | null
}

/** How far back along the key's entries a crossing is looked for: the writes one sync brings, not the key's whole history. */
const ENTRIES_WALKED = 64

/**
 * The crossing of `key`'s writes in `map` that `transaction` brought, if it
 * brought one: its kept write or one it dropped is new. A write made over
 * another (the other its origin, or an ancestor) never crossed it.
 */
export function crossingIn(transaction: Y.Transaction, map: Y.Map<unknown>, key: string): Crossing | null {
  const kept = map._map.get(key)
  if (!kept || kept.deleted) return null
  const winner = latestText(kept)
  if (winner === null) return null
  const between: Y.Item[] = []
  for (let item = kept.left; item !== null && !madeOver(kept, item); item = item.left) {
    if (between.length === ENTRIES_WALKED) return null
    between.push(item)
  }
  // Of the writes made alongside the kept one, those no other was made over: each writer's latest.
  const tips = between.filter((item) => !between.some((other) => madeOver(other, item))).reverse()
  if (tips.length === 0 || ![kept, ...tips].some((item) => isNew(transaction, item))) return null
  const losers = tips.flatMap((item) => {
    const text = latestText(item)
    return text === null ? [] : [{ text, client: item.id.client }]
  })
  if (losers.length === 0) return null
  return { winner, winnerClient: kept.id.client, winnerWrite: `${kept.id.client}:${kept.id.clock + kept.length - 1}`, losers, base: overEntry(kept) }
}

/**
 * The crossing's texts merged, the kept one first where both changed the same
 * words, so that every page merging one crossing writes the same text. Without
 * the base, the longest text the two share stands for it (sharedBase: an edit
 * each side made around it is kept whole; nothing of either is dropped).
 */
export function mergeCrossing(crossing: Crossing, multiline: boolean): MergeResult {
  let result: MergeResult = { text: crossing.winner, overlapped: false }
  for (const loser of crossing.losers) {
    const base = crossing.base ?? sharedBase(loser.text, result.text)
    const merged = mergeThreeWay(base, loser.text, result.text, multiline)
    result = { text: merged.text, overlapped: result.overlapped || merged.overlapped }
  }
  return result
}

/** Past this many character pairs the shared stretch is not looked for (the texts are kept one after the other). */
const SHARED_PAIRS_LIMIT = 4_000_000
/** A shared stretch shorter than this (and not a whole text) is chance, a letter or a word two texts happen to share: taken for the base it cut words apart ("Alpha" and "Omega" gave "Alph Omega"). */
const SHARED_AT_LEAST = 12

/** The longest stretch two texts share, where it can stand for what both were made over; else '' (both kept whole). */
function sharedBase(a: string, b: string): string {
  const shared = longestShared(a, b)
  return shared.length >= SHARED_AT_LEAST || shared.length === Math.min(a.length, b.length) ? shared : ''
}

function longestShared(a: string, b: string): string {
  if (a.length * b.length > SHARED_PAIRS_LIMIT) return ''
  let previous = new Uint32Array(b.length + 1)
  let current = new Uint32Array(b.length + 1)
  let best = 0
  let end = 0
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : 0
      if (current[j]! > best) {
        best = current[j]!
        end = i
      }
    }
    ;[previous, current] = [current, previous]
  }
  return a.slice(end - best, end)
}

/** The entry's latest value (Yjs joins one writer's replaced writes of a key into one entry); null once collected. */
function latestText(item: Y.Item): string | null {
  if (!(item.content instanceof Y.ContentAny)) return null
  const last: unknown = item.content.getContent().at(-1)
  return typeof last === 'string' ? last : null
}

/** Whether the entry `later` was made over a write `entry` holds (its first write's: a live entry holds one write). */
function madeOver(later: Y.Item, entry: Y.Item): boolean {
  return holdsWrite(entry, writtenOver(later, later.id))
}

function isNew(transaction: Y.Transaction, item: Y.Item): boolean {
  return item.id.clock + item.length > (transaction.beforeState.get(item.id.client) ?? 0)
}

/** The value of the write the kept one was made over, when it is among the key's entries and not collected. */
function overEntry(kept: Y.Item): string | null {
  const over = writtenOver(kept, kept.id)
  if (over === null) return null
  for (let item = kept.left, walked = 0; item !== null && walked <= ENTRIES_WALKED; item = item.left, walked++) {
    if (!holdsWrite(item, over)) continue
    if (!(item.content instanceof Y.ContentAny)) return null
    const value: unknown = item.content.getContent()[over.clock - item.id.clock]
    return typeof value === 'string' ? value : null
  }
  return null
}
