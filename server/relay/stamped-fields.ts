/**
 * The fields of a board entry a websocket client may not set freely: who made
 * it, and when it came on the board. The board document names the author of
 * its claims and assessments (`createdBy`), documents (`importedBy`) and
 * acknowledgements of check findings (`createdBy`), and the time every entry
 * came (`createdAt`, a document's `importedAt`); the browser, the history,
 * every briefing and the STIX export (an object's `created`, and `modified`
 * until a later edit) print them. The shared mutations write both from the
 * mutation's context, which over HTTP is the signed-in person and the
 * server's clock, but a websocket client writes its board document itself
 * and could name anyone and any time: a claim dated 2099 fixed its STIX
 * object's `modified` in the future, so that after a later edit two exports
 * gave one (id, modified) two contents.
 *
 * The server cannot rewrite a Yjs update (its structs are addressed by
 * client and clock), so the relay works in two steps, for every such field
 * alike:
 * - before applying, it refuses an update that sets the author or the time of
 *   an entry the board already holds (`stampedFieldChange`): no client of
 *   ours does, and the time would move an entry's STIX `created` under the
 *   same id;
 * - while applying, in the same transaction, it names the sender as the
 *   author of each entry and acknowledgement the update creates wherever the
 *   update named someone else, and gives the server's time to one whose time
 *   is later than the server's clock by more than CLOCK_SKEW_ALLOWANCE_MS or
 *   is no time as the board stores one (`entryStamp`); a past time is kept, as an analyst
 *   offline since the morning syncs in the afternoon what they made in the
 *   morning, and one that names no author or time is left so. The stored and
 *   broadcast update then carries only the sender's name and no time to come,
 *   and the update log records the sender (`ws:<user id>`) for the whole of
 *   it. Stamping rather than refusing keeps an honest client working when its
 *   undo brings back an entry someone else made (Yjs writes it again, with
 *   its old author and time, from the undoing client): the entry comes back
 *   in the name of whoever brought it back, with the time it first came.
 */
import { uint32 } from 'lib0/random'
import * as Y from 'yjs'
import { acknowledgementsMap, collection, COLLECTIONS, type Collection } from '../../shared/board-doc.ts'
import { isoTime } from '../../shared/board-model.ts'
import { heldItem, type Landing } from './item-landing.ts'

/** The fields of an entry the relay holds to the sender and the server's clock: its author's name, where it has one, and its time. */
type StampedFields = { author?: string; time: string }

const ENTRY_FIELDS = {
  sources: { time: 'createdAt' },
  documents: { author: 'importedBy', time: 'importedAt' },
  claims: { author: 'createdBy', time: 'createdAt' },
  assessments: { author: 'createdBy', time: 'createdAt' },
  links: { time: 'createdAt' },
} as const satisfies Record<Collection, StampedFields>
/** An acknowledgement is one plain value, `{ rule, reason, createdAt, createdBy }`. */
const ACKNOWLEDGEMENT_FIELDS = { author: 'createdBy', time: 'createdAt' } as const satisfies StampedFields

/**
 * How far past the server's clock a new entry's time may be and stand: a
 * client's clock a little ahead of the server's is no attack, and its entries
 * keep the times it gave them.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000

/** Why the update must not be applied to `doc`, or null when it sets the author or time of no entry the board holds. */
export function stampedFieldChange(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  // Made when a value first lands in a map the board holds: a keystroke lands in a text, and never needs it.
  let fieldsOf: Map<unknown, StampedFields> | undefined
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || !(landing.parent instanceof Y.ID)) continue
    // Yjs skips what the board holds already, however often an update sends it.
    if (Y.getState(doc.store, item.id.client) > item.id.clock) continue
    const entry = heldItem(doc, landing.parent)
    if (!entry || !(entry.parent instanceof Y.AbstractType)) continue
    fieldsOf ??= new Map(COLLECTIONS.map((name) => [collection(doc, name), ENTRY_FIELDS[name]]))
    const fields = fieldsOf.get(entry.parent)
    if (!fields) continue
    const held = ` of an entry the board holds (${String(entry.parentSub)})`
    if (fields.author === landing.key) return `update sets ${landing.key}${held}: its author is whoever created it`
    if (fields.time === landing.key) return `update sets ${landing.key}${held}: it came on the board when it came`
  }
  return null
}

/**
 * Resolves the maps of `doc` now, before an update can make a root type of the
 * same name (as Yjs does for a parent named by an update), and returns what
 * names the sender as the author of each entry and acknowledgement the
 * transaction created, and gives the server's time to one dated later than
 * the server's clock allows. Call it first in the transaction that applies a
 * connection's update, and what it returns last in it.
 */
export function entryStamp(doc: Y.Doc): (transaction: Y.Transaction, sender: string) => void {
  const entries = COLLECTIONS.map((name) => ({ map: collection(doc, name), fields: ENTRY_FIELDS[name] as StampedFields }))
  const acknowledgements = acknowledgementsMap(doc)
  return (transaction, sender) => {
    const stamps: (() => void)[] = []
    // Read once, and only when the update created something: a keystroke creates nothing (a closure made on every call to read it cost a keystroke ten times the rest of the stamp).
    let now: Date | undefined
    for (const { map, fields } of entries) {
      for (const item of itemsCreated(transaction, map)) {
        const entry = item.content instanceof Y.ContentType && item.content.type instanceof Y.Map ? (item.content.type as Y.Map<unknown>) : null
        if (!entry) continue
        now ??= new Date()
        const { author, time } = fields
        if (author !== undefined && isForeign(entry.get(author), sender)) stamps.push(() => entry.set(author, sender))
        const at = now.toISOString()
        if (isFutureOrNoTime(entry.get(time), now)) stamps.push(() => entry.set(time, at))
      }
    }
    for (const item of itemsCreated(transaction, acknowledgements)) {
      const value = item.content.getContent()[0]
      const key = item.parentSub!
      if (!isPlainObject(value)) continue
      now ??= new Date()
      const { author, time } = ACKNOWLEDGEMENT_FIELDS
      const reattributed = isForeign(value[author], sender)
      const redated = isFutureOrNoTime(value[time], now)
      if (reattributed || redated) {
        const stamped = { ...value, ...(reattributed ? { [author]: sender } : {}), ...(redated ? { [time]: now.toISOString() } : {}) }
        stamps.push(() => acknowledgements.set(key, stamped))
      }
    }
    if (stamps.length > 0) underStampClientId(doc, () => stamps.forEach((stamp) => stamp()))
  }
}

/** A named author other than the sender; one that names no author claims no one's name. */
function isForeign(named: unknown, sender: string): boolean {
  return named !== undefined && named !== sender
}

/**
 * A time given (none given is left so) that is no time as the board stores one
 * (the board's model leaves out an entry with such a time), or later than the
 * server's clock by more than the allowance.
 */
function isFutureOrNoTime(given: unknown, now: Date): boolean {
  if (given === undefined) return false
  const read = isoTime.safeParse(given)
  return !read.success || Date.parse(read.data) > now.getTime() + CLOCK_SKEW_ALLOWANCE_MS
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
