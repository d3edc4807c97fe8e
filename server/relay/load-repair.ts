/**
 * What a board stored before one of the relay's rules may hold that the relay
 * now refuses being set, repaired by the server as it loads the board, in one
 * pass over it. Kept, such content broke an honest undo: undoing a card's
 * deletion sets every field the card held again, as new items, and the relay
 * refused the whole undo (4422).
 *
 * Hidden fields, changed by "Assay (hidden fields removed)":
 * - keys an entry's schema does not name (board-shape.ts): `colour` or a
 *   megabyte under `zz` on a card. Nobody sees them (every reader leaves them
 *   out), yet every member downloads them at every load. Deleted;
 * - entries of a collection that are shared types of another kind than an
 *   entry's Y.Map (shared/layout-types.ts): a Y.XmlHook there passed for a
 *   card, its hook name a string of any length, with no field that any reader
 *   shows. Three of 700 KB filled a board of BOARD_MAX_BYTES 2,000,000 that
 *   nobody could empty from the app. Deleted, and a board full of them is
 *   measured again once the deletion is stored (board-size-limit.ts).
 *
 * Values past today's bounds, changed by "Assay (values within bounds)":
 * - a named field's value, a board setting or an acknowledgement the relay
 *   refuses (field-values.ts: a likelihood of 9, a tag of 8,000,000
 *   characters): set to the value as every reader reads it, cut to its
 *   limits, or deleted where readers read it as not assessed (a likelihood of
 *   9 reads as none already; its yardstick's record goes with it). A named field holding a shared type other than a
 *   title's or judgment's text (board-shape.ts) is deleted: no reader reads it;
 * - an assessment's title or judgment, or the bottom line, past
 *   TEXT_GROWTH_BOUND times its limit (text-lengths.ts): the characters past
 *   the limit, which no reader shows, are deleted, never half a surrogate pair.
 * Values past a limit but within the bound stay: the relay takes them.
 *
 * Two instances loading the board at once repair the same board as stored:
 * their deletions are the same (a deletion makes no item), and the values they
 * set are written under a client id drawn from what is written and where
 * (plannedClientId), so both write the very same items, which Yjs takes once.
 * Each still stores its change: the second row changes nothing.
 *
 * Once a board is found to hold nothing to repair, its state vector is kept
 * with the rules it was checked under (checked-bounds.ts; storage.ts,
 * BoundsCheck), and a later load under the same rules looks only at the
 * entries, settings and acknowledgements holding an item written since, and at
 * the bottom line if it does: nothing on a board nobody changed. An item the
 * check saw stands as it was: Yjs never takes other content under an id it
 * holds, a value is never changed in place (only set over, by a new item, or
 * deleted), and a text grows only by items of its own. So what arrived past
 * the relay's checks (an older release's rows, a row written to the log by
 * hand, another instance's) is looked at, wherever it came from.
 *
 * A key this release's schemas do not name may be a field a later release
 * added: such a release raises SCHEMA_VERSION (board-doc.ts), so that this one
 * refuses the boards it loaded instead of deleting their new fields. So may a
 * value a later release accepts: it raises the version as well.
 */
import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import {
  acknowledgementsMap,
  ACKNOWLEDGEMENTS_ROOT,
  blufText,
  collection,
  COLLECTIONS,
  isAssessmentTextField,
  META_ROOT,
  metaMap,
  type Collection,
} from '../../shared/board-doc.ts'
import { canonicalJson } from '../../shared/canonical-json.ts'
import type { ChangeOrigin } from '../../shared/change-origin.ts'
import { ENTRY_KEYS } from '../../shared/entry-keys.ts'
import { isPlainMap, isPlainText } from '../../shared/layout-types.ts'
import { cutText } from '../../shared/within-limits.ts'
import { heldValueWithinBounds } from './field-values.ts'
import { BLUF_LIMIT, LIMIT_BY_KEY, TEXT_GROWTH_BOUND } from './text-lengths.ts'
import { underClientId } from './server-client-ids.ts'
import { RECORDED_BAND } from './yardstick-record.ts'

/** What the repair changed: keys no schema names, entries of another kind, values, and texts past their bound; and how many entries, settings, acknowledgements and bottom lines it looked at. */
export type LoadRepair = { keys: number; entries: number; values: number; texts: number; examined: number }

/** The origins the repair's two changes are stored with, as the history names them. */
export type LoadRepairOrigins = { hidden: ChangeOrigin; bounds: ChangeOrigin }

/** A value to set again (or delete, `value` undefined) under `key` of `map`; `at` names the map and the item set over, to draw the client id. */
type ValueFix = { map: Y.Map<unknown>; key: string; value: unknown; at: string }

/** What one pass over the board found to repair, and how much it looked at. */
type Plan = { foreign: { holder: Y.Map<unknown>; key: string }[]; unnamed: { entry: Y.Map<unknown>; key: string }[]; values: ValueFix[]; texts: { text: Y.Text; limit: number }[]; examined: number }

/** Where the pass looks: everywhere (null), or only at the entries, settings and acknowledgements, and root texts, holding an item written since a check. */
type Scope = { keyed: ReadonlySet<Y.Item>; roots: ReadonlySet<unknown> } | null

/**
 * Repairs what `doc` holds that the relay refuses being set: hidden fields in
 * one transaction with `origins.hidden`, values past their bounds in another
 * with `origins.bounds`; returns what it changed (nothing on a board without
 * any, so running it again changes nothing). With `since`, the state vector of
 * the board as last found within today's bounds, it looks only at what holds
 * an item written after it.
 */
export function repairStoredBoard(doc: Y.Doc, origins: LoadRepairOrigins, since?: Map<number, number>): LoadRepair {
  const plan: Plan = { foreign: [], unnamed: [], values: [], texts: [], examined: 0 }
  const scope = since === undefined ? null : writtenSince(doc, since)
  for (const name of COLLECTIONS) planCollection(collection(doc, name), name, scope, plan)
  planRootValues(metaMap(doc), META_ROOT, scope, plan)
  planRootValues(acknowledgementsMap(doc), ACKNOWLEDGEMENTS_ROOT, scope, plan)
  const bluf = blufText(doc)
  if (scope === null || scope.roots.has(bluf)) {
    plan.examined++
    planText(bluf, BLUF_LIMIT, plan)
  }
  if (plan.foreign.length > 0 || plan.unnamed.length > 0) {
    doc.transact(() => {
      for (const { holder, key } of plan.foreign) holder.delete(key)
      for (const { entry, key } of plan.unnamed) entry.delete(key)
    }, origins.hidden)
  }
  if (plan.values.length > 0 || plan.texts.length > 0) {
    const values = plan.values.sort((one, other) => (one.at < other.at ? -1 : one.at > other.at ? 1 : 0))
    underClientId(doc, plannedClientId(doc, values), () =>
      doc.transact(() => {
        for (const { map, key, value } of values) {
          if (value === undefined) map.delete(key)
          else map.set(key, value)
        }
        for (const { text, limit } of plan.texts) {
          const kept = cutText(text.toString(), limit).length
          text.delete(kept, text.length - kept)
        }
      }, origins.bounds),
    )
  }
  return { keys: plan.unnamed.length, entries: plan.foreign.length, values: plan.values.length, texts: plan.texts.length, examined: plan.examined }
}

/**
 * What holds an item written after `since`: for each client, only its items
 * from the state `since` holds of it (findIndexSS), each traced up to the
 * root's key that holds it (an entry, a setting, an acknowledgement) or to a
 * root text. Deleted items are passed: what they held no longer stands.
 */
function writtenSince(doc: Y.Doc, since: ReadonlyMap<number, number>): NonNullable<Scope> {
  const keyed = new Set<Y.Item>()
  const roots = new Set<unknown>()
  for (const [client, structs] of doc.store.clients) {
    const from = since.get(client) ?? 0
    if (Y.getState(doc.store, client) <= from) continue
    for (let index = Y.findIndexSS(structs, from); index < structs.length; index++) {
      const struct = structs[index]!
      if (!(struct instanceof Y.Item) || struct.deleted) continue
      const top = underRoot(struct)
      if (top instanceof Y.Item) keyed.add(top)
      else roots.add(top)
    }
  }
  return { keyed, roots }
}

/** The item under a root map's key that holds `item`, or the root type holding it by no key (a root text). */
function underRoot(item: Y.Item): Y.Item | Y.AbstractType<unknown> {
  let at = item
  for (let parent = at.parent as Y.AbstractType<unknown>; parent._item !== null; parent = at.parent as Y.AbstractType<unknown>) at = parent._item
  return at.parentSub === null ? (at.parent as Y.AbstractType<unknown>) : at
}

/** The keys of `map` the pass looks at, with the item each holds: all of them, or those of the scope under it. */
function keysInScope(map: Y.Map<unknown>, scope: Scope): Iterable<[string, Y.Item]> {
  if (scope === null) return map._map
  return [...scope.keyed].filter((item) => item.parent === map).map((item): [string, Y.Item] => [item.parentSub!, item])
}

function planCollection(holder: Y.Map<unknown>, name: Collection, scope: Scope, plan: Plan): void {
  const named = ENTRY_KEYS.get(name)!
  for (const [id, item] of keysInScope(holder, scope)) {
    if (item.deleted || !(item.content instanceof Y.ContentType)) continue
    plan.examined++
    const entry = item.content.type
    if (!isPlainMap(entry)) {
      plan.foreign.push({ holder, key: id })
      continue
    }
    for (const [key, field] of entry._map) {
      if (field.deleted) continue
      if (!named.has(key)) plan.unnamed.push({ entry, key })
      else if (field.content instanceof Y.ContentType) {
        const type = field.content.type
        if (name !== 'assessments' || !isAssessmentTextField(key)) plan.values.push({ map: entry, key, value: undefined, at: place(item.id, key, field) })
        else if (isPlainText(type)) planText(type, LIMIT_BY_KEY[key], plan)
      } else {
        const fix = heldValueWithinBounds({ entryOf: name }, key, standing(field))
        if (fix) plan.values.push({ map: entry, key, value: fix.value, at: place(item.id, key, field) })
      }
    }
    if (name === 'assessments') planRecordWithBand(entry, item.id, plan)
  }
}

/**
 * A card whose band the repair deletes loses its yardstick's record with it:
 * the record stands only with its band, and the relay refuses an undo that
 * sets it alone (yardstick-record.ts).
 */
function planRecordWithBand(entry: Y.Map<unknown>, id: Y.ID, plan: Plan): void {
  const { band, record } = RECORDED_BAND
  const fixes = plan.values.filter((fix) => fix.map === entry)
  const recorded = entry._map.get(record)
  if (!fixes.some((fix) => fix.key === band && fix.value === undefined) || !recorded || recorded.deleted || fixes.some((fix) => fix.key === record)) return
  plan.values.push({ map: entry, key: record, value: undefined, at: place(id, record, recorded) })
}

/** The board's settings and acknowledgements: plain values (board-shape.ts refuses any other there; the schema version is the migration's). */
function planRootValues(map: Y.Map<unknown>, root: string, scope: Scope, plan: Plan): void {
  for (const [key, field] of keysInScope(map, scope)) {
    if (field.deleted || field.content instanceof Y.ContentType) continue
    plan.examined++
    const fix = heldValueWithinBounds({ root }, key, standing(field))
    if (fix) plan.values.push({ map, key, value: fix.value, at: place(root, key, field) })
  }
}

function planText(text: Y.Text, limit: number, plan: Plan): void {
  if (text.length > TEXT_GROWTH_BOUND * limit) plan.texts.push({ text, limit })
}

/** The value a key's item leaves standing, as Y.Map.get reads it: the last of its content. */
function standing(field: Y.Item): unknown {
  const values = field.content.getContent()
  return values[values.length - 1]
}

/** Where a value is set: its map (the id of the item holding an entry, or a root's name), its key, and the item it is set over, which the new item follows. */
function place(map: Y.ID | string, key: string, over: Y.Item): string {
  const holder = typeof map === 'string' ? map : `${map.client}:${map.clock}`
  return canonicalJson([holder, key, over.id.client, over.id.clock + over.length - 1])
}

/**
 * A client id drawn from the values set and where (each set over the item the
 * board holds there), one the board has never written under: two instances
 * repairing the same board as stored draw the same id and write, clock for
 * clock, the same items. Any difference in what they set draws another id, so
 * that no two different items ever share one.
 */
function plannedClientId(doc: Y.Doc, values: readonly ValueFix[]): number {
  const written = canonicalJson(values.map(({ at, value }) => [at, value === undefined ? null : { value }]))
  for (let salt = 0; ; salt++) {
    const id = createHash('sha256').update(`${salt}\n${written}`).digest().readUInt32BE(0)
    if (id !== 0 && Y.getState(doc.store, id) === 0) return id
  }
}
