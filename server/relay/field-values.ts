/**
 * An entity's field and the board's likelihood profile hold what the shared
 * schema accepts for them (shared/board-model.ts, ENTITY_SCHEMAS and
 * profileSchema: one definition, as for the HTTP API), whatever a hostile
 * client writes over the websocket. A reader drops an entity it cannot parse
 * whole: one editor setting a source's `reliability` to "b", a claim's
 * `credibility` to 0 or a key judgment's `likelihood` to 9 made the source
 * with all its claims, or the card with its links, vanish from the board,
 * every export, the checks and every browser. Readers now read such a stored
 * value as not assessed (board-convert.ts); the relay refuses it being set.
 *
 * Only what the update sets is read, on what Yjs decoded, as the other rules
 * do: each plain value landing under a key of an entry of a collection, new or
 * held, or under one of the board's settings (META_STRING_KEYS: its title,
 * marking, key question and profile, all plain values; board-shape.ts refuses
 * anything but a string there). A stock client set the board's title or key
 * question to megabytes, which every member's header held and every export
 * read; they are held to the model's schema (boardModelSchema) as an entity's
 * fields are. A text over its limit passes, as it is
 * read cut to it (two editors can merge a judgment past it: within-limits.ts);
 * one past TEXT_GROWTH_BOUND times it does not (text-lengths.ts says why), nor
 * an array (a card's tags), or a string in it, past that many times its limit
 * (value-bounds.ts): read cut too, such a value was held whole by every
 * browser. A key an entry's schema does not name is refused (board-shape.ts);
 * a value no schema describes that an entry may hold (a document's text), and
 * keys no schema names inside a value, are held to a size (UNNAMED_VALUES), an
 * acknowledgement (a root map's value, board-shape.ts) to its schema's
 * bounds, and a key of any map to KEY_LENGTH (an id, a field's name, a
 * finding's key).
 * Not checked here: an assessment's title and judgment (shared texts:
 * board-shape.ts and text-lengths.ts), an entry's author and time (the relay
 * stamps a new entry's, and refuses a change to a held one's:
 * stamped-fields.ts), a deletion, what the board holds already, and a value
 * the same update deletes (it never stands). What a board stored before holds
 * past these rules is brought within them as it loads (heldValueWithinBounds,
 * load-repair.ts), so that an undo setting it again is taken.
 */
import { StringDecoder } from 'node:string_decoder'
import * as Y from 'yjs'
import { ACKNOWLEDGEMENTS_ROOT, ASSESSMENT_TEXT_FIELDS, COLLECTIONS, META_ROOT, META_STRING_KEYS, type Collection } from '../../shared/board-doc.ts'
import { acknowledgementSchema, boardModelSchema, ENTITY_SCHEMAS, entityFieldSchema } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { parseWithinLimits } from '../../shared/within-limits.ts'
import { z } from 'zod'
import { entryCollections } from './board-shape.ts'
import { ENTRY_FIELDS, type StampedFields } from './entry-fields.ts'
import { isHeldWhole } from './held-already.ts'
import { TEXT_GROWTH_BOUND } from './text-lengths.ts'
import { growthBound, maximumOf, sizePast, UNNAMED_LIMIT, type PastBound } from './value-bounds.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** A field's schema alone (entityFieldSchema), and the bound its value is held to as sent (value-bounds.ts). */
type CheckedField = { key: string; schema: z.ZodObject; past: PastBound }

/** What the value under a key is held to: its field's schema, the size of a value no schema names, a text's UTF-8 bytes, or a schema's bounds alone (`schema` to read a value cut to it). */
type ValueRule = { field: CheckedField } | { size: number } | { utf8Bytes: number } | { past: PastBound; schema: z.ZodType }

/** The longest key of any map: an entry's id, a field's name, a finding's key (acknowledgementSchema: LIMITS.shortText), past the bound. */
export const KEY_LENGTH = TEXT_GROWTH_BOUND * LIMITS.shortText

/**
 * The fields whose values this rule reads, each with a schema of it alone
 * (entityFieldSchema), by collection; and those it leaves to other rules.
 */
const { CHECKED_FIELDS, UNCHECKED_FIELDS } = (() => {
  const checkedFields = new Map<Collection, ReadonlyMap<string, { field: CheckedField }>>()
  const uncheckedFields = new Map<Collection, ReadonlySet<string>>()
  for (const name of COLLECTIONS) {
    const { author, time } = ENTRY_FIELDS[name] as StampedFields
    const unchecked = new Set<string>([time, ...(author === undefined ? [] : [author]), ...(name === 'assessments' ? ASSESSMENT_TEXT_FIELDS : [])])
    const shape: Readonly<Record<string, z.ZodType>> = ENTITY_SCHEMAS[name].shape
    const checked = Object.keys(shape).filter((key) => !unchecked.has(key))
    checkedFields.set(name, new Map(checked.map((key) => [key, { field: { key, schema: entityFieldSchema(name, key)!, past: growthBound(shape[key]!) } }])))
    uncheckedFields.set(name, unchecked)
  }
  return { CHECKED_FIELDS: checkedFields as ReadonlyMap<Collection, ReadonlyMap<string, { field: CheckedField }>>, UNCHECKED_FIELDS: uncheckedFields as ReadonlyMap<Collection, ReadonlySet<string>> }
})()

/** The board's settings, each with a schema of it alone, as the model holds them (the marking normalised, not refused for a misspelt TLP label). */
const META_FIELDS: ReadonlyMap<string, { field: CheckedField }> = new Map(
  META_STRING_KEYS.map((key) => [key, { field: { key, schema: z.object({ [key]: boardModelSchema.shape[key] }), past: growthBound(boardModelSchema.shape[key]) } }]),
)

/** A value under a key an entry's schema does not name (sizePast). */
const UNNAMED_VALUE: ValueRule = { size: UNNAMED_LIMIT }

/** The values the schemas do not name that an honest client writes past UNNAMED_VALUE: an imported document's text (the browser imports too), as its import holds it. */
const UNNAMED_VALUES: Partial<Record<Collection, ReadonlyMap<string, ValueRule>>> = { documents: new Map([['text', { utf8Bytes: LIMITS.maxDocumentBytes }]]) }

/** An acknowledgement, under its finding's key: `{ rule, reason, createdAt, createdBy }` (board-shape.ts holds it to an object of strings). */
const ACKNOWLEDGEMENT_VALUE: ValueRule = (() => {
  const schema = acknowledgementSchema.omit({ key: true })
  return { past: growthBound(schema), schema }
})()

/** Why the update sets an entity's field, one of the board's settings or an acknowledgement to a value its schema refuses or past its bounds, or a key of any map too long, or null. */
export function fieldValueChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const collectionOf = entryCollections(doc, landings)
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || isHeldWhole(doc, item)) continue
    if (landing.key.length > KEY_LENGTH) return `update writes a key of ${landing.key.length} characters, past the ${KEY_LENGTH} a key may have`
    const rule = landing.parent instanceof Y.ID ? entryRule(collectionOf(landing.parent), landing.key) : rootRule(landing.parent, landing.key)
    if (rule === null) continue
    const standing = standingValue(ds, item)
    if (standing === null || fits(rule, standing.value)) continue
    const where = landing.parent instanceof Y.ID ? `${landing.key} of an entry of ${collectionOf(landing.parent)}` : landing.parent === META_ROOT ? `the board's ${landing.key}` : `an entry of ${landing.parent}`
    return `update sets ${where} to ${describe(standing.value)}, which ${refusal(rule)}`
  }
  return null
}

/**
 * What a value the board holds under `key` (of an entry of a collection, or of
 * the root map `root`) is to become for the relay to take it set again, as an
 * undo of its entry's deletion sets every field anew: null when the relay
 * takes it as it is. Else the value as readers read it, cut to its limits,
 * where the relay takes that; else `{ value: undefined }`, to delete it:
 * readers read a value its schema refuses as not assessed, as they read one
 * missing (shared/board-convert.ts). Shared types are other rules' (board-shape.ts).
 */
export function heldValueWithinBounds(parent: { entryOf: Collection } | { root: string }, key: string, value: unknown): { value: unknown } | null {
  const rule = 'entryOf' in parent ? entryRule(parent.entryOf, key) : rootRule(parent.root, key)
  if (rule === null || fits(rule, value)) return null
  const within = readWithin(rule, key, value)
  return { value: within !== undefined && fits(rule, within) ? within : undefined }
}

/** `value` as read within its rule's limits, or undefined when it cannot be (a value no schema names is not read). */
function readWithin(rule: ValueRule, key: string, value: unknown): unknown {
  if ('field' in rule) return parseWithinLimits(rule.field.schema, { [key]: value })?.[key]
  if ('schema' in rule) return parseWithinLimits(rule.schema, value) ?? undefined
  // The decoder holds back the bytes of a character the cut splits: the text ends on a whole one.
  if ('utf8Bytes' in rule && typeof value === 'string') return new StringDecoder('utf8').write(Buffer.from(value, 'utf8').subarray(0, rule.utf8Bytes))
  return undefined
}

function refusal(rule: ValueRule): string {
  if ('field' in rule) return 'its schema does not accept'
  return 'utf8Bytes' in rule ? `is past the ${rule.utf8Bytes} bytes it may hold` : `is past ${TEXT_GROWTH_BOUND} times the bounds of its field`
}

function fits(rule: ValueRule, value: unknown): boolean {
  if ('field' in rule) return fitsField(rule.field, value)
  if ('utf8Bytes' in rule) return typeof value === 'string' ? utf8Within(value, rule.utf8Bytes) : !sizePast(value, rule.utf8Bytes)
  return 'size' in rule ? !sizePast(value, rule.size) : !rule.past(value)
}

/**
 * Whether `text` takes at most `limit` bytes in UTF-8, as the import counts a document (a character may take three
 * bytes where it counts one in `length`): told from its length where that settles it, each UTF-16 unit being one to
 * three bytes, and counted without encoding it otherwise.
 */
function utf8Within(text: string, limit: number): boolean {
  if (text.length > limit) return false
  return text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit
}

/**
 * Whether `value` fits its field, a text over its limit as read cut to it.
 * Most values fit at once, so the field's own schema is tried first: the board
 * of 1,000 assessments sent whole sets 71,200 fields, which took 500 ms read
 * within limits as objects and 50 to 130 ms so. The bound is walked first all
 * the same: a value within the schema may lie past it where the schema sets no
 * limit (an assessment's order), and it costs a look at each string's length.
 */
function fitsField({ key, schema, past }: CheckedField, value: unknown): boolean {
  // Set whole, never merged, a value past its limit is an old or hostile client's: read cut, but not far past it (value-bounds.ts).
  if (past(value)) return false
  const field = schema.shape[key]!
  // An array past its own limit (33 tags where 32 are read) is cut to it first, as parseWithinLimits cuts it once the
  // schema reports it, and parsed once: a failed parse, and the slower reading within limits, at every card of a board
  // that holds such values, took its load repair from 0.2 s to 0.6 to 2.4 s (bench/load-repair.ts).
  const maximum = field instanceof z.ZodArray ? maximumOf(field) : null
  const cut = maximum !== null && Array.isArray(value) && value.length > maximum ? value.slice(0, maximum) : value
  if (field.safeParse(cut).success) return true
  return parseWithinLimits(schema, { [key]: value }) !== null
}

/** The rule for a key of an entry of `name`; null where other rules rule (its author, time and shared texts) or for no entry. */
function entryRule(name: Collection | null, key: string): ValueRule | null {
  if (name === null) return null
  return CHECKED_FIELDS.get(name)!.get(key) ?? (UNCHECKED_FIELDS.get(name)!.has(key) ? null : (UNNAMED_VALUES[name]?.get(key) ?? UNNAMED_VALUE))
}

/** The rule for a key of a root map: a setting of the board's, or an acknowledgement; null for an entry of a collection (a map: board-shape.ts). */
function rootRule(root: string, key: string): ValueRule | null {
  if (root === META_ROOT) return META_FIELDS.get(key) ?? null
  return root === ACKNOWLEDGEMENTS_ROOT ? ACKNOWLEDGEMENT_VALUE : null
}

/**
 * The value an item leaves standing under its key, as Y.Map.get reads it (the
 * last of its content); null for a shared type (board-shape.ts rules on those),
 * deleted content, or an item the update deletes.
 */
export function standingValue(ds: DecodedUpdate['ds'], item: Y.Item): { value: unknown } | null {
  const { content } = item
  if (content instanceof Y.ContentType || content instanceof Y.ContentDeleted) return null
  if (Y.isDeleted(ds, Y.createID(item.id.client, item.id.clock + item.length - 1))) return null
  const values = content.getContent()
  return { value: values[values.length - 1] }
}

/** A value as a refusal names it: short, whatever it is. */
function describe(value: unknown): string {
  const written = value === undefined ? 'undefined' : value instanceof Uint8Array ? 'bytes' : JSON.stringify(value)
  return written.length > 40 ? `${written.slice(0, 40)}…` : written
}
