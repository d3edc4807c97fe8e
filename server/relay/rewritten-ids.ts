/**
 * Whether an update another instance stored writes, under ids this doc holds
 * already, something else than what the doc holds there. A Yjs id (client,
 * clock) names one unit of content for good, and Yjs skips whatever an update
 * carries under an id it holds: so when one editor sends two different
 * updates under one client id to two instances at once, each instance keeps
 * its own, the other's is dropped without a word, and from then on the two
 * boards differ (later edits, placed by these ids, land differently on each).
 * The same content arriving twice is honest and common (a catch-up from the
 * log, then the same row over Redis; a client that resends to another
 * instance what the first already stored), so ids alone decide nothing: the
 * content, and where it was placed, is compared unit by unit. Content
 * collected as deleted on either side cannot be compared and is passed over,
 * but what the update sends as deleted and the doc shows, the update must
 * delete too: a client resending what it deleted since sends the deletion
 * with it, and otherwise one instance would show what the other does not.
 */
import * as Y from 'yjs'

type Content = Y.Item['content']
/** An update as `Y.decodeUpdate` reads it: decoded once for every look at what it writes. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>
type DeleteSet = DecodedUpdate['ds']

/** Where the first run the update writes otherwise than `doc` holds it begins, or null. */
export function rewrittenId({ structs, ds }: DecodedUpdate, doc: Y.Doc): Y.ID | null {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue
    const { client, clock } = struct.id
    const end = Math.min(clock + struct.length, Y.getState(doc.store, client))
    for (let at = clock; at < end; ) {
      const held = Y.getItem(doc.store, Y.createID(client, at)) as Y.Item | Y.GC
      const heldEnd = Math.min(held.id.clock + held.length, end)
      if (held instanceof Y.Item && !sameUnits(struct, held, at, heldEnd - at, ds)) return Y.createID(client, at)
      at = heldEnd
    }
  }
  return null
}

/** Whether `count` units from clock `at` are the same in the decoded `sent` (of an update deleting `ds`) and the integrated `held`. */
function sameUnits(sent: Y.Item, held: Y.Item, at: number, count: number, ds: DeleteSet): boolean {
  if (!Y.compareIDs(originAt(sent, at), originAt(held, at)) || !Y.compareIDs(sent.rightOrigin, held.rightOrigin)) return false
  if (at === sent.id.clock && sent.origin === null && sent.rightOrigin === null && !sameParent(sent, held)) return false
  // Sent as deleted, content this doc shows must be deleted by the same update: else one instance would show what the other does not.
  if (sent.content instanceof Y.ContentDeleted && !held.deleted && !deletesEach(ds, held.id.client, at, count)) return false
  return sameContent(sent.content, at - sent.id.clock, held.content, at - held.id.clock, count)
}

function deletesEach(ds: DeleteSet, client: number, from: number, count: number): boolean {
  for (let clock = from; clock < from + count; clock++) if (!Y.isDeleted(ds, Y.createID(client, clock))) return false
  return true
}

/** What a unit was inserted after: an item's first unit, its origin; every next one, the unit before it. */
function originAt(item: Y.Item, clock: number): Y.ID | null {
  return clock === item.id.clock ? item.origin : Y.createID(item.id.client, clock - 1)
}

/** For a unit placed by neither neighbour, the parent its update names (a root's name or an item's id, and the map key). */
function sameParent(sent: Y.Item, held: Y.Item): boolean {
  if (sent.parentSub !== held.parentSub) return false
  if (!(held.parent instanceof Y.AbstractType)) return false
  const parent = held.parent as Y.AbstractType<unknown>
  // Read from an update and not integrated, an item's parent is what the update names: a root's name, or an item's id.
  const named = sent.parent as Y.ID | string | null
  if (parent._item !== null) return named instanceof Y.ID && Y.compareIDs(named, parent._item.id)
  return named === Y.findRootTypeKey(parent)
}

function sameContent(sent: Content, sentFrom: number, held: Content, heldFrom: number, count: number): boolean {
  if (sent instanceof Y.ContentDeleted || held instanceof Y.ContentDeleted) return true
  if (sent.constructor !== held.constructor) return false
  if (sent instanceof Y.ContentString && held instanceof Y.ContentString) {
    return sent.str.slice(sentFrom, sentFrom + count) === held.str.slice(heldFrom, heldFrom + count)
  }
  if (sent instanceof Y.ContentFormat && held instanceof Y.ContentFormat) return sent.key === held.key && JSON.stringify(sent.value) === JSON.stringify(held.value)
  if (sent instanceof Y.ContentType && held instanceof Y.ContentType) return sent.type.constructor === held.type.constructor
  if (sent instanceof Y.ContentDoc && held instanceof Y.ContentDoc) return sent.doc?.guid === held.doc?.guid
  // Values (any, JSON, embed, binary): one a unit.
  return JSON.stringify(sent.getContent().slice(sentFrom, sentFrom + count)) === JSON.stringify(held.getContent().slice(heldFrom, heldFrom + count))
}

/** A Yjs id as the logs and errors write it: `client:clock`. */
export function idText({ client, clock }: Y.ID): string {
  return `${client}:${clock}`
}
