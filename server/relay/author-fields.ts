/**
 * Who made an item of the board is who sent it. The board document names the
 * author of its claims and assessments (`createdBy`), documents (`importedBy`)
 * and acknowledgements of check findings (`createdBy`), and the browser and
 * every briefing print that name; the shared mutations write it from the
 * mutation's context, which over HTTP is the signed-in person, but a
 * websocket client writes its board document itself and could name anyone.
 *
 * The server cannot rewrite a Yjs update (its structs are addressed by
 * client and clock), so the relay works in two steps, for every author field
 * alike:
 * - before applying, it refuses an update that sets the author of an entry
 *   the board already holds (`authorFieldChange`): no client of ours does;
 * - while applying, in the same transaction, it names the sender as the
 *   author of each entry and acknowledgement the update creates wherever the
 *   update named someone else (`authorStamp`); one that names no author is
 *   left so, as it claims no one's name. The stored and broadcast update
 *   then carries only the sender's name, and the update log records the
 *   sender (`ws:<user id>`) for the whole of it. Stamping rather than refusing
 *   keeps an honest client working when its undo brings back an entry someone
 *   else made (Yjs writes it again, with its old author, from the undoing
 *   client): the entry comes back in the name of whoever brought it back.
 */
import { uint32 } from 'lib0/random'
import * as Y from 'yjs'
import { acknowledgementsMap, collection, type Collection } from '../../shared/board-doc.ts'
import { heldItem, type Landing } from './item-landing.ts'

/** The collections whose entries name their author, and the field that does. */
const AUTHOR_FIELDS = { claims: 'createdBy', assessments: 'createdBy', documents: 'importedBy' } as const satisfies Partial<Record<Collection, string>>
const AUTHORED_COLLECTIONS = Object.keys(AUTHOR_FIELDS) as (keyof typeof AUTHOR_FIELDS)[]
/** An acknowledgement is one plain value, `{ rule, reason, createdAt, createdBy }`. */
const ACKNOWLEDGEMENT_AUTHOR = 'createdBy'

/** Why the update must not be applied to `doc`, or null when it sets the author of no entry the board holds. */
export function authorFieldChange(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const fieldOf = new Map<unknown, string>(AUTHORED_COLLECTIONS.map((name) => [collection(doc, name), AUTHOR_FIELDS[name]]))
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || !(landing.parent instanceof Y.ID)) continue
    // Yjs skips what the board holds already, however often an update sends it.
    if (Y.getState(doc.store, item.id.client) > item.id.clock) continue
    const entry = heldItem(doc, landing.parent)
    if (!entry || !(entry.parent instanceof Y.AbstractType)) continue
    const field = fieldOf.get(entry.parent)
    if (field === landing.key) return `update sets ${field} of an entry the board holds (${String(entry.parentSub)}): its author is whoever created it`
  }
  return null
}

/**
 * Resolves the authored maps of `doc` now, before an update can make a root
 * type of the same name (as Yjs does for a parent named by an update), and
 * returns what names the sender as the author of each entry and
 * acknowledgement the transaction created. Call it first in the transaction
 * that applies a connection's update, and what it returns last in it.
 */
export function authorStamp(doc: Y.Doc): (transaction: Y.Transaction, sender: string) => void {
  const entries = AUTHORED_COLLECTIONS.map((name) => ({ map: collection(doc, name), field: AUTHOR_FIELDS[name] }))
  const acknowledgements = acknowledgementsMap(doc)
  return (transaction, sender) => {
    const stamps: (() => void)[] = []
    for (const { map, field } of entries) {
      for (const item of itemsCreated(transaction, map)) {
        const entry = item.content instanceof Y.ContentType && item.content.type instanceof Y.Map ? (item.content.type as Y.Map<unknown>) : null
        const named = entry?.get(field)
        if (entry && named !== undefined && named !== sender) stamps.push(() => entry.set(field, sender))
      }
    }
    for (const item of itemsCreated(transaction, acknowledgements)) {
      const value = item.content.getContent()[0]
      const key = item.parentSub!
      if (isPlainObject(value) && value[ACKNOWLEDGEMENT_AUTHOR] !== undefined && value[ACKNOWLEDGEMENT_AUTHOR] !== sender) stamps.push(() => acknowledgements.set(key, { ...value, [ACKNOWLEDGEMENT_AUTHOR]: sender }))
    }
    if (stamps.length > 0) underStampClientId(doc, () => stamps.forEach((stamp) => stamp()))
  }
}

/** A client id for each document's stamps, apart from its own (see underStampClientId). */
const stampClientIds = new WeakMap<Y.Doc, number>()

/**
 * Runs `stamp` with the document writing under a client id kept for stamps.
 * Yjs takes a transaction that applies an update for a remote one, and
 * content made there under the document's own client id for another client
 * using that id: it would give the document a new id, with a warning on
 * stdout, at every stamp.
 */
function underStampClientId(doc: Y.Doc, stamp: () => void): void {
  let stampClientId = stampClientIds.get(doc)
  if (stampClientId === undefined) {
    stampClientId = uint32()
    stampClientIds.set(doc, stampClientId)
  }
  const own = doc.clientID
  doc.clientID = stampClientId
  try {
    stamp()
  } finally {
    doc.clientID = own
  }
}

/** The standing values of `map` that `transaction` created: what it set, and what won over a value the board held. */
function itemsCreated(transaction: Y.Transaction, map: Y.Map<unknown>): Y.Item[] {
  const created: Y.Item[] = []
  const changed: ReadonlyMap<unknown, Set<string | null>> = transaction.changed
  for (const key of changed.get(map) ?? []) {
    const item = key === null ? undefined : map._map.get(key)
    if (item && !item.deleted && item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)) created.push(item)
  }
  return created
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
}
