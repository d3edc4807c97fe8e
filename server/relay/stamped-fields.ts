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
 *   update named someone else, and gives the server's time to one
 *   whose time is later than the server's clock, or earlier than the board's
 *   creation, by more than CLOCK_SKEW_ALLOWANCE_MS, or is no time as the
 *   board stores one (`entryStamp`). A past time since the board was made is
 *   kept, as an analyst offline since the morning syncs in the afternoon what
 *   they made in the morning; none can have been made on the board before it
 *   existed, and a claim and a key judgment dated 2001-09-10 on a board made
 *   today were stored so, their STIX notes `created` then. The stored and
 *   broadcast update then carries only the sender's name and a time within
 *   the board's life, and the update log records the sender (`ws:<user id>`)
 *   for the whole of it;
 * - an entry that comes back under the key of a deleted one (an undo brings
 *   back a deleted entry so, with its old author and time, from the undoing
 *   client) is made to hold the deleted entry's author and time, and a claim
 *   its provenance, words and source (entry-fields.ts): stamping rather than
 *   refusing keeps an honest undo working, and an entry under an id keeps the
 *   author and time it first came with. Where the room never saw the deleted
 *   entry (deleted before it loaded), the entry comes back in the sender's
 *   name with the server's time. Putting a new entry under the key of a live
 *   one is refused before (entry-replacement.ts).
 */
import { uint32 } from 'lib0/random'
import * as Y from 'yjs'
import { acknowledgementsMap, collection, COLLECTIONS, type Collection } from '../../shared/board-doc.ts'
import { isoTime } from '../../shared/board-model.ts'
import { CLAIM_PROVENANCE_FIELDS } from '../../shared/board-mutations.ts'
import { quotesHeldDocument } from '../../shared/claim-quote.ts'
import type { DeletedEntries } from './deleted-entries.ts'
import { ACKNOWLEDGEMENT_FIELDS, ENTRY_FIELDS, heldKeptFields, keptFields, stoodBefore, type KeptFields, type StampedFields } from './entry-fields.ts'
import { heldItem, type Landing } from './item-landing.ts'
import { underClientId } from './server-client-ids.ts'

/**
 * How far past the server's clock, or before the board's creation, a new
 * entry's time may be and stand: a client's clock a little ahead of or behind
 * the server's is no attack, and its entries keep the times it gave them.
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
 * stamps each entry and acknowledgement the transaction created: an entry
 * brought back under a key whose earlier entry `deleted` knows (or this
 * transaction deleted) is made to hold what that one held of its kept fields
 * (entry-fields.ts); any other names the sender as its author, and takes the
 * server's time if its time is later than the server's clock allows, earlier
 * than the board's creation (`boardCreatedAt`, an ISO time) allows, or if it
 * comes back under a key whose earlier entry the room never saw (its time,
 * being the earlier entry's, cannot be told); a claim among them that names a
 * document without quoting it loses its provenance (claim-quote.ts). Call it
 * first in the transaction that applies a connection's update, and what it
 * returns last in it, in that transaction and in each later one on `doc`:
 * the maps stay the doc's once resolved, so a room resolves them once rather
 * than on every keystroke.
 */
export function entryStamp(doc: Y.Doc, deleted: DeletedEntries, boardCreatedAt: string): (transaction: Y.Transaction, sender: string) => void {
  const earliest = Date.parse(boardCreatedAt) - CLOCK_SKEW_ALLOWANCE_MS
  const entries = COLLECTIONS.map((name) => ({ name, map: collection(doc, name), fields: ENTRY_FIELDS[name] as StampedFields }))
  const acknowledgements = acknowledgementsMap(doc)
  return (transaction, sender) => {
    const stamps: (() => void)[] = []
    // Read once, and only when the update created something: a keystroke creates nothing (a closure made on every call to read it cost a keystroke ten times the rest of the stamp).
    let now: Date | undefined
    for (const { name, map, fields } of entries) {
      for (const item of itemsCreated(transaction, map)) {
        const entry = item.content instanceof Y.ContentType && item.content.type instanceof Y.Map ? (item.content.type as Y.Map<unknown>) : null
        if (!entry) continue
        const earlier = earlierEntry(transaction, name, item, deleted)
        if (earlier !== null && earlier !== 'unseen') {
          stamps.push(() => restore(entry, keptFields(name, earlier), earlier))
          continue
        }
        now ??= new Date()
        const { author, time } = fields
        if (author !== undefined && isForeign(entry.get(author), sender)) stamps.push(() => entry.set(author, sender))
        const at = now.toISOString()
        if (earlier === 'unseen' || isOutsideBoardLifeOrNoTime(entry.get(time), earliest, now)) stamps.push(() => entry.set(time, at))
        if (name === 'claims' && entry.get('documentId') !== undefined && !quotesHeldDocument(entry)) stamps.push(() => CLAIM_PROVENANCE_FIELDS.forEach((field) => entry.delete(field)))
      }
    }
    for (const item of itemsCreated(transaction, acknowledgements)) {
      const value = item.content.getContent()[0]
      const key = item.parentSub!
      if (!isPlainObject(value)) continue
      now ??= new Date()
      const { author, time } = ACKNOWLEDGEMENT_FIELDS
      const reattributed = isForeign(value[author], sender)
      const redated = isOutsideBoardLifeOrNoTime(value[time], earliest, now)
      if (reattributed || redated) {
        const stamped = { ...value, ...(reattributed ? { [author]: sender } : {}), ...(redated ? { [time]: now.toISOString() } : {}) }
        stamps.push(() => acknowledgements.set(key, stamped))
      }
    }
    if (stamps.length > 0) underStampClientId(doc, () => stamps.forEach((stamp) => stamp()))
  }
}

/**
 * What the entry before `item` under its key held of the fields it keeps:
 * null when none came before it but what this transaction created (a new
 * entry), 'unseen' when one did but the room never saw what it held (deleted
 * before the room loaded, and collected).
 */
function earlierEntry(transaction: Y.Transaction, name: Collection, item: Y.Item, deleted: DeletedEntries): KeptFields | 'unseen' | null {
  const left = stoodBefore(transaction, item.left)
  if (!left) return null
  // Deleted in this transaction (an update that deletes an entry and brings it back), so not collected yet; one deleted
  // before, whatever it still holds, is what `deleted` noted when it went (nothing for a map that never stood on the board).
  if (Y.isDeleted(transaction.deleteSet, left.id) && left.content instanceof Y.ContentType && left.content.type instanceof Y.Map) {
    return heldKeptFields(name, left.content.type as Y.Map<unknown>)
  }
  return deleted.earlier(name, item.parentSub!) ?? 'unseen'
}

/**
 * Sets `fields` of `entry` to what `earlier` held of them, removing those it
 * did not hold: plain values only (KeptValue), never the earlier entry's Y
 * type, which Yjs cannot integrate a second time.
 */
function restore(entry: Y.Map<unknown>, fields: readonly string[], earlier: KeptFields): void {
  for (const field of fields) {
    const value = earlier[field]
    if (entry.get(field) === value) continue
    if (value === undefined) entry.delete(field)
    else entry.set(field, value)
  }
}

/** A named author other than the sender; one that names no author claims no one's name. */
function isForeign(named: unknown, sender: string): boolean {
  return named !== undefined && named !== sender
}

/**
 * A time given (none given is left so) that is no time as the board stores one
 * (the board's model leaves out an entry with such a time), later than the
 * server's clock by more than the allowance, or before `earliest` (the board's
 * creation less the allowance).
 */
function isOutsideBoardLifeOrNoTime(given: unknown, earliest: number, now: Date): boolean {
  if (given === undefined) return false
  const read = isoTime.safeParse(given)
  if (!read.success) return true
  const at = Date.parse(read.data)
  return at > now.getTime() + CLOCK_SKEW_ALLOWANCE_MS || at < earliest
}

/** A client id for each document's stamps, apart from its own (see underStampClientId). */
const stampClientIds = new WeakMap<Y.Doc, number>()

/** The client id `doc`'s stamps write under, once drawn or set. */
export function stampClientIdOf(doc: Y.Doc): number | undefined {
  return stampClientIds.get(doc)
}

/** Makes `doc`'s stamps write under `clientId`: one its board's previous room wrote under (server-client-ids.ts). */
export function useStampClientId(doc: Y.Doc, clientId: number): void {
  stampClientIds.set(doc, clientId)
}

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
  underClientId(doc, stampClientId, stamp)
}

/** What a transaction that changed nothing in a map created there. */
const NONE_CREATED: readonly Y.Item[] = []

/** The standing values of `map` that `transaction` created: what it set, and what won over a value the board held. */
function itemsCreated(transaction: Y.Transaction, map: Y.Map<unknown>): readonly Y.Item[] {
  const changed: ReadonlyMap<unknown, Set<string | null>> = transaction.changed
  const keys = changed.get(map)
  // A keystroke changes a text and none of the maps: nothing to list.
  if (keys === undefined) return NONE_CREATED
  const created: Y.Item[] = []
  for (const key of keys) {
    const item = key === null ? undefined : map._map.get(key)
    if (item && !item.deleted && item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)) created.push(item)
  }
  return created
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
}
