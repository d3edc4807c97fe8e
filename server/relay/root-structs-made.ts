/**
 * The structs a change adds to a board's root types (its bottom line, its
 * settings, its acknowledgements, its collections' maps), each of which may
 * become a deleted item nothing ever frees (dead-root-structs.ts), so
 * written-cost.ts charges them dearly, to whoever makes them. Charged as they
 * die, a colleague clearing an editor's 40,000 characters typed backwards
 * into the bottom line paid some 41 MB, 2.4 of her hours, for structs the
 * editor had made at 48 bytes each, and could write on no board for 1.5 h
 * (red team 40a). Now an inserted item that stands as a struct of its own
 * (one that did not merge with its neighbour as the change ended) counts as
 * it is made, as does an item it splits in two, unless it would merge into
 * the deleted item before it once deleted too; a deletion counts only the
 * structs it adds itself, by cutting an item it deletes part of, at most
 * two a range of deletions, less any its deleted items merged into their
 * deleted neighbours. A character typed after the one before it merges into
 * it and counts nothing; deleting a whole item, whoever made it, nothing.
 */
import * as Y from 'yjs'

/** The root structs `transaction` made: its inserted items standing alone, the items they split, and its deletions' net splits. */
export function rootStructsMade(transaction: Y.Transaction): number {
  return insertedStandingAlone(transaction) + Math.max(0, netSplitsOfDeletions(transaction))
}

/** Whether `item` is held by a root type: one no other item holds. */
export function isRootItem(item: Y.Item): boolean {
  return item.parent instanceof Y.AbstractType && item.parent._item === null
}

/** The clock of `client` before `transaction`: its items from there on are the transaction's own. */
function clockBefore(transaction: Y.Transaction, client: number): number {
  return transaction.beforeState.get(client) ?? 0
}

/**
 * The root items `transaction` inserted that begin a struct of their own, and
 * the items they were inserted into the middle of. Walks only its new structs,
 * as piecesOf does.
 */
function insertedStandingAlone(transaction: Y.Transaction): number {
  let made = 0
  for (const [client, after] of transaction.afterState) {
    const before = clockBefore(transaction, client)
    const structs = transaction.doc.store.clients.get(client)
    if (after <= before || structs === undefined) continue
    for (let index = Y.findIndexSS(structs, before); index < structs.length; index++) {
      const struct = structs[index]!
      if (!(struct instanceof Y.Item) || struct.id.clock < before || !isRootItem(struct) || mergesOnceDeleted(struct)) continue
      made++
      if (splitsItsNeighbours(struct)) made++
    }
  }
  return made
}

/**
 * Whether `item` follows, as its maker typed on, deleted characters it would
 * merge into once deleted too: a word typed again after backspaces. It adds a
 * struct still there (charged BYTES_PER_PIECE as any), never one more deleted one.
 */
function mergesOnceDeleted(item: Y.Item): boolean {
  const { left } = item
  return left instanceof Y.Item && left.deleted && left.right === item && wereOneStruct(left, item)
}

/** Whether `item` sits between the two halves of one struct, split as it was inserted. */
function splitsItsNeighbours(item: Y.Item): boolean {
  const { left, right } = item
  return left instanceof Y.Item && right instanceof Y.Item && left.deleted === right.deleted && wereOneStruct(left, right)
}

/**
 * The structs `transaction`'s deletions added to root types, less those they
 * merged away: at each end of each of its ranges, one more where it cut an
 * item still there, one fewer where its deleted items merged into deleted ones
 * beside them (a backspace after a backspace adds none).
 */
function netSplitsOfDeletions(transaction: Y.Transaction): number {
  let net = 0
  for (const [client, ranges] of transaction.deleteSet.clients) {
    const structs = transaction.doc.store.clients.get(client)
    if (structs === undefined) continue
    const before = clockBefore(transaction, client)
    for (const { clock, len } of ranges) {
      net += boundaryChange(structs, clock, 'start', before) + boundaryChange(structs, clock + len, 'end', before)
    }
  }
  return net
}

/**
 * What deleting up to (`end`) or from (`start`) the clock `at` did to the
 * struct boundary there: +1 where it cut an item that stays, -1 where the
 * deleted items merged across it, 0 where it was and stays a boundary. Items
 * the transaction itself inserted (from `before` on) are left to
 * insertedStandingAlone.
 */
function boundaryChange(structs: (Y.Item | Y.GC)[], at: number, end: 'start' | 'end', before: number): number {
  if (at === 0 || at >= before) return 0
  const index = Y.findIndexSS(structs, at)
  const right = structs[index]!
  if (!(right instanceof Y.Item) || !isRootItem(right)) return 0
  // Deleted on both sides now, and the side outside the range was deleted before: they were two structs.
  if (right.id.clock < at) return -1
  const left = structs[index - 1]
  if (!(left instanceof Y.Item)) return 0
  const outside = end === 'start' ? left : right
  return !outside.deleted && left.right === right && wereOneStruct(left, right) ? 1 : 0
}

/**
 * Whether `left` and `right`, of one client one after the other, could have
 * been one struct Yjs split (Item.mergeWith, but for their adjacency and
 * whether they are deleted, which the caller judges): `right` placed just
 * after `left`, before the same item, content of a kind that merges. A
 * deleted item's content is gone (ContentDeleted), so it is taken to have
 * been of its neighbour's kind: a deleter may be counted a split that was
 * there before, at most two a range.
 */
function wereOneStruct(left: Y.Item, right: Y.Item): boolean {
  return (
    left.id.client === right.id.client &&
    left.id.clock + left.length === right.id.clock &&
    left.parent === right.parent &&
    Y.compareIDs(right.origin, left.lastId) &&
    Y.compareIDs(left.rightOrigin, right.rightOrigin) &&
    left.redone === null &&
    right.redone === null &&
    contentsMerge(left.content, right.content)
  )
}

/** Contents Yjs merges into one item: strings, JSON values, deleted lengths (Content*.mergeWith). */
const MERGING_CONTENTS: readonly unknown[] = [Y.ContentString, Y.ContentAny, Y.ContentJSON, Y.ContentDeleted]

function contentsMerge(left: Y.Item['content'], right: Y.Item['content']): boolean {
  if (!MERGING_CONTENTS.includes(left.constructor) || !MERGING_CONTENTS.includes(right.constructor)) return false
  return left.constructor === right.constructor || left instanceof Y.ContentDeleted || right instanceof Y.ContentDeleted
}
