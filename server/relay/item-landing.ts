/**
 * Where each item of an update will land: the type it goes into and, in a
 * map, its key. An update names them only for an item without neighbours;
 * one written with an `origin` or `rightOrigin` (as Yjs writes an insertion
 * next to existing content, and a map's new value beside the old one) names
 * neither, and Yjs takes both from that neighbour as it integrates the item.
 * A rule that read only the named parent would miss every such item: one item
 * sent with the old value of a claim's quote as its origin, and no deletion,
 * replaced the quote.
 */
import * as Y from 'yjs'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * A type created by an item (its id, as an update names a parent type) or a
 * root type (its name); null where the neighbour is neither in the document
 * nor in the update, so that Yjs holds the item until it comes, or where the
 * neighbour was collected, so that Yjs drops the item.
 */
export type Landing = { parent: Y.ID | string; key: string | null } | null

/**
 * Each item of the update with where it lands, in the update's order. Each
 * item is resolved once and a neighbour found by binary search: a run of
 * typing is a chain of items each after the one before, followed without
 * recursion.
 */
export function itemLandings(doc: Y.Doc, { structs }: DecodedUpdate): { item: Y.Item; landing: Landing }[] {
  const items = structs.filter((struct): struct is Y.Item => struct instanceof Y.Item)
  const inUpdate = lazyItemFinder(() => items)
  const inDocument = (id: Y.ID): Landing => {
    const stored = heldItem(doc, id)
    return stored && landingOfHeld(stored)
  }

  const resolved = new Map<Y.Item, Landing>()
  const landingOf = (first: Y.Item): Landing => {
    const path = new Set<Y.Item>()
    let item = first
    let landing: Landing = null
    for (;;) {
      const known = resolved.get(item)
      if (known !== undefined) {
        landing = known
        break
      }
      // Neighbours that lead back to an item on the way: Yjs never finds what it is missing, and holds them.
      if (path.has(item)) break
      path.add(item)
      const named = item.parent as unknown
      if (named instanceof Y.ID || typeof named === 'string') {
        landing = { parent: named, key: item.parentSub }
        break
      }
      const neighbour = item.origin ?? item.rightOrigin
      if (!neighbour) break
      // A neighbour the document holds already is the document's: Yjs skips what an update sends of it again, however it says it.
      const next = Y.getState(doc.store, neighbour.client) > neighbour.clock ? null : inUpdate(neighbour)
      if (!next) {
        landing = inDocument(neighbour)
        break
      }
      item = next
    }
    for (const visited of path) resolved.set(visited, landing)
    return landing
  }

  return items.map((item) => ({ item, landing: landingOf(item) }))
}

/**
 * itemFinder of the `items` (an update's, in its order) read at the first
 * look-up, built only then: a keystroke's item lands beside one the document
 * holds, and no rule looks anything up in the update.
 */
export function lazyItemFinder(items: () => readonly Y.Item[]): (id: Y.ID) => Y.Item | null {
  let find: ((id: Y.ID) => Y.Item | null) | undefined
  return (id) => (find ??= itemFinder(items()))(id)
}

/** A look-up of the item of `items` (an update's, in its order) that holds a given id, or null. */
export function itemFinder(items: readonly Y.Item[]): (id: Y.ID) => Y.Item | null {
  // An update lists each client's structs in the order of their clocks.
  const byClient = new Map<number, Y.Item[]>()
  for (const item of items) {
    const list = byClient.get(item.id.client)
    if (list) list.push(item)
    else byClient.set(item.id.client, [item])
  }
  return (id) => {
    const list = byClient.get(id.client)
    if (!list) return null
    let [low, high] = [0, list.length - 1]
    while (low <= high) {
      const middle = (low + high) >>> 1
      const item = list[middle]!
      if (id.clock < item.id.clock) high = middle - 1
      else if (id.clock >= item.id.clock + item.length) low = middle + 1
      else return item
    }
    return null
  }
}

/** The item the document holds at `id`, or null when it holds none there (Y.getItem would throw). */
export function heldItem(doc: Y.Doc, id: Y.ID): Y.Item | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null
  const stored = Y.getItem(doc.store, id)
  return stored instanceof Y.Item ? stored : null
}

/** Where an item the document holds lies. */
export function landingOfHeld(stored: Y.Item): Landing {
  const parent = stored.parent
  if (!(parent instanceof Y.AbstractType)) return null
  return { parent: parent._item ? parent._item.id : Y.findRootTypeKey(parent), key: stored.parentSub }
}

/** Whether two landings are the same type and key. */
export function sameLanding(one: NonNullable<Landing>, other: NonNullable<Landing>): boolean {
  if (one.key !== other.key) return false
  if (typeof one.parent === 'string' || typeof other.parent === 'string') return one.parent === other.parent
  return Y.compareIDs(one.parent, other.parent)
}

/** An id as a key of a Map or Set. */
export function idKey({ client, clock }: Y.ID): string {
  return `${client}:${clock}`
}
