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
 * one past TEXT_GROWTH_BOUND times it does not (text-lengths.ts says why).
 * Not checked here: a key the schema does not name (board-shape.ts refuses it), an
 * assessment's title and judgment (shared texts: board-shape.ts and
 * text-lengths.ts), an entry's author and time (the relay stamps a new
 * entry's, and refuses a change to a held one's: stamped-fields.ts), a
 * deletion, what the board holds already, and a value the same update
 * deletes (it never stands).
 */
import * as Y from 'yjs'
import { ASSESSMENT_TEXT_FIELDS, COLLECTIONS, META_ROOT, META_STRING_KEYS, type Collection } from '../../shared/board-doc.ts'
import { boardModelSchema, ENTITY_SCHEMAS, entityFieldSchema } from '../../shared/board-model.ts'
import { parseWithinLimits } from '../../shared/within-limits.ts'
import { z } from 'zod'
import { entryCollections } from './board-shape.ts'
import { ENTRY_FIELDS, type StampedFields } from './entry-fields.ts'
import { isHeldWhole } from './held-already.ts'
import { TEXT_GROWTH_BOUND } from './text-lengths.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * The fields whose values this rule reads, each with a schema of it alone
 * (entityFieldSchema), by collection.
 */
const CHECKED_FIELDS: ReadonlyMap<Collection, ReadonlyMap<string, z.ZodObject>> = new Map(
  COLLECTIONS.map((name) => {
    const { author, time } = ENTRY_FIELDS[name] as StampedFields
    const unchecked = new Set<string>([time, ...(author === undefined ? [] : [author]), ...(name === 'assessments' ? ASSESSMENT_TEXT_FIELDS : [])])
    const checked = Object.keys(ENTITY_SCHEMAS[name].shape).filter((field) => !unchecked.has(field))
    return [name, new Map(checked.map((field) => [field, entityFieldSchema(name, field)!]))]
  }),
)

/** The board's settings, each with a schema of it alone, as the model holds them (the marking normalised, not refused for a misspelt TLP label). */
const META_FIELDS: ReadonlyMap<string, z.ZodObject> = new Map(META_STRING_KEYS.map((key) => [key, z.object({ [key]: boardModelSchema.shape[key] })]))

/** Why the update sets an entity's field, or one of the board's settings, to a value its schema refuses, or null. */
export function fieldValueChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const collectionOf = entryCollections(doc, landings)
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || isHeldWhole(doc, item)) continue
    const schema = landing.parent instanceof Y.ID ? checkedFieldSchema(collectionOf(landing.parent), landing.key) : landing.parent === META_ROOT ? (META_FIELDS.get(landing.key) ?? null) : null
    if (schema === null) continue
    const standing = standingValue(ds, item)
    if (standing === null || fitsField(schema, landing.key, standing.value)) continue
    const where = landing.parent instanceof Y.ID ? `${landing.key} of an entry of ${collectionOf(landing.parent)}` : `the board's ${landing.key}`
    return `update sets ${where} to ${describe(standing.value)}, which its schema does not accept`
  }
  return null
}

/**
 * Whether `value` fits the field `key` of `schema` (a schema of that field
 * alone), a text over its limit as read cut to it. Most values fit at once, so
 * the field's own schema is tried first: the board of 1,000 assessments sent
 * whole sets 71,200 fields, which took 500 ms read within limits as objects and
 * 50 to 130 ms so.
 */
function fitsField(schema: z.ZodObject, key: string, value: unknown): boolean {
  const field = schema.shape[key]!
  if (field.safeParse(value).success) return true
  // Set whole, never merged, a value past its limit is an old or hostile client's: read cut, but not far past it (text-lengths.ts).
  const limit = maxLengthOf(field)
  if (typeof value === 'string' && limit !== null && value.length > TEXT_GROWTH_BOUND * limit) return false
  return parseWithinLimits(schema, { [key]: value }) !== null
}

/** The longest a string field may be, through the wrappers that make it optional; null for a field of another kind. */
function maxLengthOf(field: z.ZodType): number | null {
  let inner: z.ZodType = field
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType
  return inner instanceof z.ZodString ? inner.maxLength : null
}

function checkedFieldSchema(name: Collection | null, key: string): z.ZodObject | null {
  return name === null ? null : (CHECKED_FIELDS.get(name)!.get(key) ?? null)
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
