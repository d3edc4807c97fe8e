/**
 * A shared text (an assessment's title or judgment, the bottom line) may go
 * past its limit through the relay, but not far past it. It may go past
 * because two editors, one of them offline, can each keep a judgment within
 * its limit in their own copy and merge to more (shared/within-limits.ts: the
 * board reads it cut to its limit). It may not go far past: nothing else
 * bounded it, and one editor's stock client stored a judgment of 200,000
 * characters, which every browser and the inspector held whole.
 *
 * The bound: an update is refused when the characters it inserts into a text,
 * and does not delete again, would make the text longer than twice its limit,
 * counting what the text holds as it stands less what the update deletes of it
 * (counted only once a text would pass the bound: a keystroke never does). Not
 * counted so, an honest "select all and paste" over a judgment merged to
 * 25,000 characters was refused as one of 45,000.
 * An honest client keeps its own copy within the limit (its field refuses
 * typing past it), so one honest update inserts at most the limit into a text,
 * and two honest copies of one text merge to at most twice it: a concurrent
 * merge of two editors is never refused, an edit of a text already past its
 * limit only shortens it, and only three or more editors who each filled the
 * same field at the same time could meet the bound, the last of them refused
 * as a hostile client is. A hostile client can store at most twice a limit
 * in one text.
 */
import * as Y from 'yjs'
import { BLUF_ROOT, type AssessmentTextField } from '../../shared/board-doc.ts'
import { LIMITS } from '../../shared/limits.ts'
import { isHeldWhole } from './held-already.ts'
import type { HeldDeletion } from './held-deletions.ts'
import { heldItem, idKey, lazyItemFinder, type Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** How many times its limit a text may hold through the relay: what two editors' copies, each within it, merge to at most. */
export const TEXT_GROWTH_BOUND = 2

/** The limit of each shared text, by the key of an assessment it lies under (the model's: shared/board-model.ts). */
export const LIMIT_BY_KEY: Readonly<Record<AssessmentTextField, number>> = { title: LIMITS.shortText, judgment: LIMITS.longText }
export const BLUF_LIMIT = LIMITS.longText

/** Why the update makes a shared text longer than TEXT_GROWTH_BOUND times its limit, or null. */
export function overlongText(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[], deletions: readonly HeldDeletion[]): string | null {
  const inUpdate = lazyItemFinder(() => landings.map(({ item }) => item))
  const grown = new Map<string, LimitedText>()
  let deletedOf: ReadonlyMap<object, number> | undefined
  for (const { item, landing } of landings) {
    if (landing === null || landing.key !== null || !(item.content instanceof Y.ContentString) || isHeldWhole(doc, item)) continue
    const key = typeof landing.parent === 'string' ? landing.parent : idKey(landing.parent)
    let text = grown.get(key)
    if (text === undefined) {
      const found = limitedText(doc, landing.parent, inUpdate)
      if (found === null) continue
      text = found
      grown.set(key, text)
    }
    text.length += item.length - deletedUnits(ds, item)
    if (text.length > TEXT_GROWTH_BOUND * text.limit && text.held !== null) {
      deletedOf ??= heldCharactersDeleted(deletions)
      text.length -= deletedOf.get(text.held) ?? 0
      text.held = null
    }
    if (text.length > TEXT_GROWTH_BOUND * text.limit) {
      return `update makes a shared text ${text.length} characters long, past ${TEXT_GROWTH_BOUND} times its limit of ${text.limit}`
    }
  }
  return null
}

/**
 * A shared text the update inserts into: its limit, its length as the update
 * leaves it so far, and the type the board holds it as, until what the update
 * deletes of it is counted (null then, or when the update creates it).
 */
type LimitedText = { limit: number; length: number; held: object | null }

/** The shared text `parent` names, with the length it holds now (none when the update creates it), or null for a type without a limit. */
function limitedText(doc: Y.Doc, parent: Y.ID | string, inUpdate: (id: Y.ID) => Y.Item | null): LimitedText | null {
  // Read as the document holds it, without making it a text (as doc.getText would) while only checking.
  if (typeof parent === 'string') {
    if (parent !== BLUF_ROOT) return null
    const held = doc.share.get(BLUF_ROOT) ?? null
    return { limit: BLUF_LIMIT, length: held?._length ?? 0, held }
  }
  const held = heldItem(doc, parent)
  const holder = held ?? inUpdate(parent)
  const limit = typeof holder?.parentSub === 'string' ? LIMIT_BY_KEY[holder.parentSub as AssessmentTextField] : undefined
  if (limit === undefined || !(holder!.content instanceof Y.ContentType)) return null
  const type = holder!.content.type
  return held && type instanceof Y.Text ? { limit, length: type.length, held: type } : { limit, length: 0, held: null }
}

/**
 * How many of the characters each type holds the update deletes, by type,
 * from the live items the deleted ranges cover (held-deletions.ts, walked
 * once for every rule that reads them).
 */
function heldCharactersDeleted(deletions: readonly HeldDeletion[]): ReadonlyMap<object, number> {
  const deleted = new Map<object, number>()
  for (const { item, covered } of deletions) {
    if (!item.countable || !(item.parent instanceof Y.AbstractType)) continue
    deleted.set(item.parent, (deleted.get(item.parent) ?? 0) + covered)
  }
  return deleted
}

/** How many of the item's units the update deletes again (a client's undo keeps deleted characters, and sends them with their deletion). */
function deletedUnits(ds: DecodedUpdate['ds'], item: Y.Item): number {
  const ranges = ds.clients.get(item.id.client)
  if (!ranges) return 0
  const start = item.id.clock
  const end = start + item.length
  // Ranges come sorted and apart (validate-update.ts refuses others): find the first that ends past the item's start.
  let [low, high] = [0, ranges.length]
  while (low < high) {
    const middle = (low + high) >>> 1
    if (ranges[middle]!.clock + ranges[middle]!.len <= start) low = middle + 1
    else high = middle
  }
  let deleted = 0
  for (let index = low; index < ranges.length && ranges[index]!.clock < end; index++) {
    const range = ranges[index]!
    deleted += Math.min(end, range.clock + range.len) - Math.max(start, range.clock)
  }
  return deleted
}
