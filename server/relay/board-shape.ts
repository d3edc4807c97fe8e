/**
 * The board's layout (shared/board-doc.ts) as the websocket must keep it,
 * whatever a hostile client writes to any key of any map:
 * - `meta.marking` follows the marking rule (shared/marking.ts): one that
 *   shows a TLP label its letters do not spell ("TLP:R\u0415D", a Cyrillic
 *   Е) is refused as over HTTP, since the exports, the banner and the board
 *   list act on the label a program reads;
 * - `meta.schemaVersion` is the server's: every load refuses a document of a
 *   version it does not know, so one editor setting it to 99 left the board
 *   unloadable for good, for everyone, its restore included. An update may
 *   set it only to this server's version (as a restore does), and may not
 *   delete it otherwise (every page would take the board for one not made yet);
 * - an entry of a collection (`assessments`, `claims`, …) is an entity's map:
 *   a number there turned every read of the board into a server error;
 * - an assessment's title and judgment are Y.Text: a string or a map there
 *   passed as a title to some readers and none to others, and the browser's
 *   field, which binds to the text, could not open;
 * - the fields an entry keeps when it comes back under its key
 *   (entry-fields.ts: its author and time, a document's text and hash, a
 *   claim's provenance, words and source) hold a string, a number or a
 *   boolean, as the model has them. A document whose text was a Y.Map,
 *   deleted and set again under its key, had the relay set that very map on
 *   the new entry, which Yjs cannot integrate twice: it threw inside the
 *   transaction and the board was reset, every other socket closed (4012),
 *   as often as an editor liked; an array of a million empty objects as its
 *   text was kept whole in the room's notes of deleted entries;
 * - no other field of an entry holds a shared type: the model has none but
 *   an assessment's title and judgment;
 * - an entry holds only the keys its schema names (ENTITY_SCHEMAS, and a
 *   document's text and hash: shared/entry-keys.ts). Every reader leaves any other out,
 *   so a stock client's 2 MB string under `zz` on a card was held by every
 *   member's document and sent to each at every load of the board, with no
 *   page or read showing it to anyone who could delete it: two accounts
 *   could fill BOARD_MAX_BYTES with it. A key a board stored before holds
 *   is deleted by the server as it loads the board
 *   (load-repair.ts), and may be deleted by anyone (a deletion
 *   lands nothing); the browser's undo never sets one again
 *   (shared/board-undo.ts). During a rolling upgrade, a page of a
 *   release whose schema
 *   names a new field, connected to an instance of an older one, is closed
 *   4422 when it sets that field, as it is for a new root or setting and for
 *   a value a field's older schema refuses (field-values.ts): it keeps what
 *   was not saved and sends it again once reloaded. No bound on unknown keys
 *   (so many a card, so many bytes each) instead: the older instance cannot
 *   tell a future field's value from junk either, and such a bound still lets
 *   what nobody sees grow with every entry;
 * - an assessment's title or judgment that holds a shared text is not given a
 *   new one: everything others typed into the old one meanwhile went with it.
 *   The shared mutations set a new text only where the field holds none
 *   (made with the entry, or replacing a value of an old board);
 * - the board holds no root type but its layout's (LAYOUT_ROOTS): a root of
 *   any other name is read by nothing and was kept, loaded and sent to every
 *   page for good;
 * - `meta` holds its settings as strings (META_STRING_KEYS) and the schema
 *   version, and no other key; `acknowledgements` holds, under a finding's
 *   key, a plain object of strings. A map, an XML element, bytes or
 *   `undefined` there were kept as they came;
 * - every shared type is of the very kind the layout names at its place: an
 *   entry's map a Y.Map, a title or judgment a Y.Text, never one of Yjs's XML
 *   types, each a subclass of these (Y.XmlHook of Y.Map, Y.XmlText of
 *   Y.Text, Y.XmlElement and Y.XmlFragment of neither). A stock client's
 *   Y.XmlHook set under a new key of `assessments` passed for a card: its
 *   hook name, a string carried in the type itself, read by no value rule
 *   and bounded only by the frame, was held by every member's document, and
 *   with no field the entry was shown by no page, read or export, so nobody
 *   could delete it; three of 700 KB filled a board of BOARD_MAX_BYTES
 *   2,000,000, whose owner's next card was refused (409 board_full). An
 *   XML type stored before the rule is deleted as the board loads
 *   (load-repair.ts);
 * - nothing anywhere is a subdocument: the model has none, and Yjs makes a
 *   Y.Doc of each at every load of the board. 100,000 of them in 1.8 MB of
 *   update, under `acknowledgements` or a root of another name, held the
 *   relay's thread some 10 s to decode and 14 s more to apply, with 238 MB of
 *   heap, and again at each load. The scan of the update's bytes refuses them
 *   before Yjs decodes anything (inserted-values-scan.ts); this rule
 *   refuses them where the scan could not read the update.
 *
 * What the board holds already is not checked again, as Yjs skips it when an
 * update sends it again: a board stored before a rule loads and syncs as it
 * was (a subdocument stored so costs its load as before: see README, What a
 * member cannot do).
 */
import * as Y from 'yjs'
import {
  ACKNOWLEDGEMENTS_ROOT,
  ASSESSMENT_TEXT_FIELDS,
  collection,
  COLLECTIONS,
  LAYOUT_ROOTS,
  META_ROOT,
  META_STRING_KEYS,
  metaMap,
  SCHEMA_VERSION,
  type Collection,
} from '../../shared/board-doc.ts'
import { ENTRY_KEYS } from '../../shared/entry-keys.ts'
import { isLayoutType, isPlainMap, isPlainText } from '../../shared/layout-types.ts'
import { markingMisspelling } from '../../shared/marking.ts'
import { isKeptValue, keepableFields } from './entry-fields.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, idKey, type Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const COLLECTION_NAMES: ReadonlySet<string> = new Set(COLLECTIONS)
const TEXT_FIELDS: ReadonlySet<string> = new Set(ASSESSMENT_TEXT_FIELDS)
const KEPT_FIELDS: ReadonlyMap<Collection, ReadonlySet<string>> = new Map(COLLECTIONS.map((name) => [name, new Set(keepableFields(name))]))
const ROOTS: ReadonlySet<string> = new Set(LAYOUT_ROOTS)
const META_STRINGS: ReadonlySet<string> = new Set(META_STRING_KEYS)

/** Why an update holding a subdocument is refused. */
export const SUBDOCUMENT_REFUSAL = 'update inserts a subdocument, which a board never holds'

/** Why the update would break the board's layout, or null. */
export function boardShapeChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  let setsVersion = false
  const collectionOf = entryCollections(doc, landings)
  for (const { item, landing } of landings) {
    if (item.content instanceof Y.ContentDoc && !isHeldWhole(doc, item)) return SUBDOCUMENT_REFUSAL
    // Wherever it lands, nested in what the update makes too: the rules below name the place, this one the kind.
    if (item.content instanceof Y.ContentType && !isLayoutType(item.content.type) && !isHeldWhole(doc, item)) {
      return `update inserts a shared type of kind ${item.content.type.constructor.name}, which the board's layout never holds`
    }
    if (landing === null) continue
    if (landing.parent instanceof Y.ID) {
      const misfit = landing.key === null ? null : entryFieldMisfit(doc, collectionOf(landing.parent), landing.parent, landing.key, item)
      if (misfit) return misfit
      continue
    }
    const misplaced = isHeldWhole(doc, item) ? null : rootMisfit(landing.parent, landing.key, item.content)
    if (misplaced) return misplaced
    if (landing.parent === 'meta' && landing.key === 'marking') {
      // Yjs skips what the board holds already: a marking stored before the rule, sent again, is no new one.
      const misspelling = isHeldWhole(doc, item) ? null : misspelledMarking(item.content)
      if (misspelling) return `update sets the board's marking: ${misspelling}`
    } else if (landing.parent === 'meta' && landing.key === 'schemaVersion') {
      if (!isValue(item.content, SCHEMA_VERSION)) return `update sets the board's schema version, which is the server's`
      setsVersion = true
    } else if (COLLECTION_NAMES.has(landing.parent) && !isEntity(item.content, landing.key)) {
      return `update puts into ${landing.parent} something that is not an entry of it`
    }
  }
  const version = metaMap(doc)._map.get('schemaVersion')
  if (!setsVersion && version && !version.deleted && Y.isDeleted(ds, version.id)) return `update deletes the board's schema version`
  return null
}

/** Why `item`, set under `key` of the entry at `entryId` of `name` (null: of no entry), does not fit that field, or null. */
function entryFieldMisfit(doc: Y.Doc, name: Collection | null, entryId: Y.ID, key: string, item: Y.Item): string | null {
  if (name === null) return null
  if (name === 'assessments' && TEXT_FIELDS.has(key)) {
    if (!isText(item.content)) return `update sets an assessment's ${key} to something that is not a shared text`
    if (item.content instanceof Y.ContentType && !isHeldWhole(doc, item) && holdsLiveText(doc, entryId, key)) {
      return `update replaces the shared text of an assessment's ${key}, which would take away what others type into it`
    }
    return null
  }
  // Yjs skips what the board holds already, however often an update sends it.
  if (isHeldWhole(doc, item)) return null
  if (!ENTRY_KEYS.get(name)!.has(key) && !(item.content instanceof Y.ContentDeleted)) {
    return `update sets ${namedKey(key)} on an entry of ${name}, a key its schema does not name, which no reader shows`
  }
  if (KEPT_FIELDS.get(name)!.has(key)) {
    return isKeptContent(item.content) ? null : `update sets ${key} of an entry of ${name} to something other than a string, a number or a boolean`
  }
  if (item.content instanceof Y.ContentType) {
    return `update sets ${key} of an entry of ${name} to a shared type, which the board holds only as an assessment's title and judgment`
  }
  return null
}

/** A key as a refusal names it: a key can be as long as a value, and the refusal goes to the log. */
function namedKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)
}

/**
 * Why an item that lands in the root type `root`, under `key` (null: in its
 * sequence), does not fit the layout, or null. A collection's entries and the
 * bottom line's characters have rules of their own (here and text-content.ts).
 */
function rootMisfit(root: string, key: string | null, content: Y.Item['content']): string | null {
  if (!ROOTS.has(root)) return `update writes to a root type named ${JSON.stringify(root)}, which the board's layout does not have`
  if (root === META_ROOT) {
    if (key === 'schemaVersion') return null
    if (key === null || !META_STRINGS.has(key)) return `update writes ${key === null ? 'a value without a key' : JSON.stringify(key)} into the board's settings, which hold ${META_STRING_KEYS.join(', ')} and schemaVersion only`
    return holdsOnly(content, (value) => typeof value === 'string') ? null : `update sets the board's ${key} to something other than a string`
  }
  if (root === ACKNOWLEDGEMENTS_ROOT) {
    if (key !== null && holdsOnly(content, isAcknowledgementValue)) return null
    return `update puts into acknowledgements something other than a finding's acknowledgement (an object of strings under its key)`
  }
  return null
}

/** Whether the item at `id` (an entry's map, the board holds it) holds a shared text, not deleted, under `key`. */
function holdsLiveText(doc: Y.Doc, id: Y.ID, key: string): boolean {
  const entry = heldItem(doc, id)
  if (!entry || !(entry.content instanceof Y.ContentType)) return false
  const field = entry.content.type._map.get(key)
  return field !== undefined && !field.deleted && field.content instanceof Y.ContentType && isPlainText(field.content.type)
}

/** Plain values (several once the old values of a key merge) each passing `fits`, or the deleted content they leave. */
function holdsOnly(content: Y.Item['content'], fits: (value: unknown) => boolean): boolean {
  return content instanceof Y.ContentDeleted || ((content instanceof Y.ContentAny || content instanceof Y.ContentJSON) && content.arr.every(fits))
}

/** An acknowledgement as the shared mutations write it: `{ rule, reason, createdAt, createdBy }`, each a string. */
function isAcknowledgementValue(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).every((field) => typeof field === 'string')
  )
}

/**
 * The collection of the entry whose map the item at an id holds: one the
 * update puts into a collection, or one the board holds there; null for any
 * other.
 */
export function entryCollections(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): (id: Y.ID) => Collection | null {
  // Both made at the first look-up: a keystroke lands in a text, under no key, and is never looked up.
  let created: Map<string, Collection> | undefined
  let held: Map<unknown, Collection> | undefined
  return (id) =>
    (created ??= createdEntries(landings)).get(idKey(id)) ?? (held ??= new Map(COLLECTIONS.map((name) => [collection(doc, name), name]))).get(heldItem(doc, id)?.parent) ?? null
}

/** The entries the update creates in a collection, by their ids' keys. */
function createdEntries(landings: readonly { item: Y.Item; landing: Landing }[]): Map<string, Collection> {
  const created = new Map<string, Collection>()
  for (const { item, landing } of landings) {
    if (landing !== null && typeof landing.parent === 'string' && COLLECTION_NAMES.has(landing.parent) && item.content instanceof Y.ContentType) {
      created.set(idKey(item.id), landing.parent as Collection)
    }
  }
  return created
}

/** Values as Y.Map.set writes a string, a number or a boolean (several once the old values of a key merge), or the deleted content they leave. */
function isKeptContent(content: Y.Item['content']): boolean {
  return holdsOnly(content, isKeptValue)
}

/** A shared text, or the deleted content that a replaced one leaves. */
function isText(content: Y.Item['content']): boolean {
  return content instanceof Y.ContentDeleted || (content instanceof Y.ContentType && isPlainText(content.type))
}

/** Why a marking set so is refused (any string among the values of a merged map entry), or null. */
function misspelledMarking(content: Y.Item['content']): string | null {
  if (!(content instanceof Y.ContentAny || content instanceof Y.ContentJSON)) return null
  for (const value of content.arr) {
    const misspelling = typeof value === 'string' ? markingMisspelling(value) : null
    if (misspelling) return misspelling
  }
  return null
}

function isValue(content: Y.Item['content'], value: unknown): boolean {
  return content instanceof Y.ContentAny && content.arr.length === 1 && content.arr[0] === value
}

/** An entity's map under a key, or the deleted content that a removed entry leaves. */
function isEntity(content: Y.Item['content'], key: string | null): boolean {
  return key !== null && (content instanceof Y.ContentDeleted || (content instanceof Y.ContentType && isPlainMap(content.type)))
}
