/**
 * Where Yjs puts an item among the room's items that name the same origin:
 * not always just after its origin. Item.integrate (yjs/src/structs/Item.js)
 * scans from its origin to its right origin and puts it after every item of
 * the same origin written by a lower client id, and after what those carry;
 * a client that names a right origin past them has its item land after them,
 * where marks they end with come before its own. mark-runs.ts judged the item
 * where its origin put it: a letter with 20 marks of client 1 after an a, and
 * 20 marks of client 2 after the same a named to go past it, were read as 20
 * and 20, and made a run of 40.
 *
 * The scan is the one Item.integrate runs, over the items the room holds,
 * each a step of the update's budget (applied-text.ts). Items of the update
 * that land at the same place are grouped by mark-runs.ts in any order, so
 * only the room's items are scanned here.
 */
import * as Y from 'yjs'
import type { AppliedText } from './applied-text.ts'
import { heldItem } from './item-landing.ts'

/** An item as Item.integrate scans it: a held one, or the rest of the origin's item past the origin, which Yjs splits off. */
type Scanned = { item: Y.Item; client: number; origin: Y.ID | null; rightOrigin: Y.ID | null; key: string }

/**
 * The id of the last unit of what Yjs puts an item of `client` after, given
 * its `origin` (held) and `rightOrigin` (held or null); 'unknown' where the
 * budget runs out first, null where the right origin is neither (the item
 * then lands beside update items, which the caller reads as it did).
 */
export function integratedOrigin(doc: Y.Doc, client: number, origin: Y.ID, rightOrigin: Y.ID | null, text: AppliedText): Y.ID | 'unknown' | null {
  const originItem = heldItem(doc, origin)
  const rightItem = rightOrigin === null ? null : heldItem(doc, rightOrigin)
  if (originItem === null || (rightOrigin !== null && rightItem === null)) return null
  const splitAt = origin.clock - originItem.id.clock + 1
  // What Yjs's getItem(o.origin) finds, named: the origin's item is split at the origin, its rest apart.
  const keyOf = (id: Y.ID): string | null => {
    const held = heldItem(doc, id)
    if (held === null) return null
    return held === originItem && id.clock >= origin.clock + 1 ? 'rest' : `${held.id.client}:${held.id.clock}`
  }
  const scanned = (item: Y.Item, rest: boolean): Scanned =>
    rest
      ? { item, client: item.id.client, origin, rightOrigin: item.rightOrigin, key: 'rest' }
      : { item, client: item.id.client, origin: item.origin, rightOrigin: item.rightOrigin, key: `${item.id.client}:${item.id.clock}` }
  const start = (at: Scanned): number => (at.key === 'rest' ? origin.clock + 1 : at.item.id.clock)
  const next = (at: Scanned): Y.Item | null => (at.item.right instanceof Y.Item ? at.item.right : null)
  // Where the scan stops: the unit at the right origin starts what Yjs splits off as the item's right.
  const isRight = (item: Y.Item, rest: boolean): boolean =>
    rightItem !== null && item === rightItem && (rest ? rightOrigin!.clock === origin.clock + 1 : rightOrigin!.clock === item.id.clock)

  let left: Y.ID = origin
  let o: Scanned | null = splitAt < originItem.length ? scanned(originItem, true) : originItem.right instanceof Y.Item ? scanned(originItem.right, false) : null
  if (o === null || isRight(o.item, o.key === 'rest')) return origin
  const beforeOrigin = new Set<string>()
  let conflicting = new Set<string>()
  while (o !== null) {
    if (!text.step()) return 'unknown'
    beforeOrigin.add(o.key)
    conflicting.add(o.key)
    // The right origin's item, where the right origin lies past its start, is split there: only its part before it is scanned.
    const splitAtRight = rightItem === o.item && rightOrigin!.clock > start(o)
    const end = splitAtRight ? rightOrigin!.clock : o.item.id.clock + o.item.length
    const lastId = Y.createID(o.item.id.client, end - 1)
    if (o.origin !== null && Y.compareIDs(o.origin, origin)) {
      if (o.client < client) {
        left = lastId
        conflicting = new Set()
      } else if (Y.compareIDs(rightOrigin, o.rightOrigin)) {
        break
      }
    } else if (o.origin !== null && beforeOrigin.has(keyOf(o.origin) ?? '')) {
      if (!conflicting.has(keyOf(o.origin) ?? '')) {
        left = lastId
        conflicting = new Set()
      }
    } else {
      break
    }
    // A right origin before the origin (only a hostile client names one) is never met: Yjs scans on to the text's end.
    if (splitAtRight) break
    const after = next(o)
    o = after === null || isRight(after, false) ? null : scanned(after, false)
  }
  return left
}
