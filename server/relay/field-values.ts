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
 * browser; and the items of an array past its limit, which readers cut away
 * unread, are read as its items all the same (elementsPastLimitRead). A key an entry's schema does not name is refused (board-shape.ts);
 * a value no schema describes that an entry may hold (a document's text), and
 * keys no schema names inside a value, are held to a size (ENTRY_RULES), an
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
import { growthBound, maximumOf, sizePast, UNNAMED_LIMIT } from './value-bounds.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * What the value under a key is held to: `fits`, whether the relay takes it
 * set; `within`, the value as readers read it within its limits, or undefined
 * where it cannot be read so (the load repair's cut: heldValueWithinBounds);
 * and `refusal`, why the relay refuses a value that does not fit.
 */
type ValueRule = { fits: (value: unknown) => boolean; within: (value: unknown) => unknown; refusal: (value: unknown) => string }

/** The longest key of any map: an entry's id, a field's name, a finding's key (acknowledgementSchema: LIMITS.shortText), past the bound. */
export const KEY_LENGTH = TEXT_GROWTH_BOUND * LIMITS.shortText

const PAST_BOUNDS = `is past ${TEXT_GROWTH_BOUND} times the bounds of its field`

/**
 * A field of an entity or a setting of the board, `schema` holding it alone
 * (entityFieldSchema): taken when within its bound (value-bounds.ts) and read
 * by its schema, a text or an array over its limit as read cut to it; cut so
 * by the repair. Set whole, never merged, a value past its limit is an old or
 * hostile client's: read cut, but not far past it. The bound is walked first
 * all the same: a value its schema takes may lie past it where the schema sets
 * no limit (an assessment's order), and it costs a look at each string's length.
 */
function fieldRule(schema: z.ZodObject, key: string): ValueRule {
  const field = schema.shape[key] as z.ZodType
  const past = growthBound(field)
  const cutAwayReads = elementsPastLimitRead(field)
  return {
    fits: (value) => !past(value) && readField(schema, key, value) !== null && cutAwayReads(value),
    within: (value) => readField(schema, key, value)?.value,
    // A value past its bound is refused before its schema reads it: say which it was.
    refusal: (value) => (past(value) ? PAST_BOUNDS : 'its schema does not accept'),
  }
}

/** A value held to its schema's bounds alone, not to the schema (an acknowledgement: board-shape.ts), and cut to its limits by the schema. */
function boundsRule(schema: z.ZodType): ValueRule {
  const past = growthBound(schema)
  return { fits: (value) => !past(value), within: (value) => parseWithinLimits(schema, value) ?? undefined, refusal: () => PAST_BOUNDS }
}

/** A value no schema names, held to a size (sizePast): no limit reads it cut. */
function sizeRule(limit: number): ValueRule {
  return { fits: (value) => !sizePast(value, limit), within: () => undefined, refusal: () => PAST_BOUNDS }
}

/** A text held to a count of UTF-8 bytes, as an import holds a document's; cut to it before a character the cut would split (the decoder holds its bytes back). */
function utf8Rule(limit: number): ValueRule {
  return {
    fits: (value) => (typeof value === 'string' ? utf8Within(value, limit) : !sizePast(value, limit)),
    within: (value) => (typeof value === 'string' ? new StringDecoder('utf8').write(Buffer.from(value, 'utf8').subarray(0, limit)) : undefined),
    refusal: () => `is past the ${limit} bytes it may hold`,
  }
}

/** A value under a key an entry's schema does not name. */
const UNNAMED_VALUE = sizeRule(UNNAMED_LIMIT)

/**
 * The rules of each collection's entries, by key: its schema's fields; null for
 * those other rules rule (its author and time: stamped-fields.ts; an
 * assessment's title and judgment: text-lengths.ts); and the values the
 * schemas do not name that an honest client writes past UNNAMED_VALUE (an
 * imported document's text, the browser importing too, held as its import
 * holds it). Any other key: UNNAMED_VALUE.
 */
const ENTRY_RULES: ReadonlyMap<Collection, ReadonlyMap<string, ValueRule | null>> = new Map(COLLECTIONS.map((name) => [name, entryRules(name)]))

/** The board's settings, each held as the model holds it (the marking normalised, not refused for a misspelt TLP label). */
const SETTING_RULES: ReadonlyMap<string, ValueRule> = new Map(META_STRING_KEYS.map((key) => [key, fieldRule(z.object({ [key]: boardModelSchema.shape[key] }), key)]))

/** An acknowledgement, under its finding's key: `{ rule, reason, createdAt, createdBy }` (board-shape.ts holds it to an object of strings). */
const ACKNOWLEDGEMENT_RULE = boundsRule(acknowledgementSchema.omit({ key: true }))

function entryRules(name: Collection): Map<string, ValueRule | null> {
  const { author, time } = ENTRY_FIELDS[name] as StampedFields
  const others = [time, ...(author === undefined ? [] : [author]), ...(name === 'assessments' ? ASSESSMENT_TEXT_FIELDS : [])]
  const fields = Object.keys(ENTITY_SCHEMAS[name].shape).filter((key) => !others.includes(key))
  // A later pair takes its key's place: a schema's field outranks a value no schema names, and other rules outrank both.
  return new Map<string, ValueRule | null>([
    ...(name === 'documents' ? ([['text', utf8Rule(LIMITS.maxDocumentBytes)]] as const) : []),
    ...fields.map((key): [string, ValueRule] => [key, fieldRule(entityFieldSchema(name, key)!, key)]),
    ...others.map((key): [string, null] => [key, null]),
  ])
}

/** Why the update sets an entity's field, one of the board's settings or an acknowledgement to a value its schema refuses or past its bounds, or a key of any map too long, or null. */
export function fieldValueChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const collectionOf = entryCollections(doc, landings)
  for (const { item, landing } of landings) {
    if (landing === null || landing.key === null || isHeldWhole(doc, item)) continue
    if (landing.key.length > KEY_LENGTH) return `update writes a key of ${landing.key.length} characters, past the ${KEY_LENGTH} a key may have`
    const rule = landing.parent instanceof Y.ID ? entryRule(collectionOf(landing.parent), landing.key) : rootRule(landing.parent, landing.key)
    if (rule === null) continue
    const standing = standingValue(ds, item)
    if (standing === null || rule.fits(standing.value)) continue
    const where = landing.parent instanceof Y.ID ? `${landing.key} of an entry of ${collectionOf(landing.parent)}` : landing.parent === META_ROOT ? `the board's ${landing.key}` : `an entry of ${landing.parent}`
    return `update sets ${where} to ${describe(standing.value)}, which ${rule.refusal(standing.value)}`
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
  if (rule === null || rule.fits(value)) return null
  const within = rule.within(value)
  return { value: within !== undefined && rule.fits(within) ? within : undefined }
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
 * `value` as its field's schema reads it (a text or an array over its limit
 * cut to it), or null when it refuses it: what the relay takes, and what the
 * repair sets. Most values fit at once, so the field's own schema is tried
 * first: the board of 1,000 assessments sent whole sets 71,200 fields, which
 * took 500 ms read within limits as objects and 50 to 130 ms so.
 */
function readField(schema: z.ZodObject, key: string, value: unknown): { value: unknown } | null {
  const field = schema.shape[key] as z.ZodType
  // An array past its own limit (33 tags where 32 are read) is cut to it first, as parseWithinLimits cuts it once the
  // schema reports it, and parsed once: a failed parse, and the slower reading within limits, at every card of a board
  // that holds such values, took its load repair from 0.2 s to 0.6 to 2.4 s (bench/load-repair.ts).
  const maximum = field instanceof z.ZodArray ? maximumOf(field) : null
  const parsed = field.safeParse(maximum !== null && Array.isArray(value) && value.length > maximum ? value.slice(0, maximum) : value)
  if (parsed.success) return { value: parsed.data }
  const read = parseWithinLimits(schema, { [key]: value })
  return read === null ? null : { value: read[key] }
}

/**
 * Whether the elements of an array past its field's limit, which readers cut
 * away unread (readField; the schema reports nothing inside an array past its
 * limit), each read as an element within its limits (a tag of 100 characters
 * read as one of 64, as within the limit): unchecked, a stock client set a
 * card's tags to 32 tags then `42`, `""`, `null` and an object of 1 MB, all
 * stored and relayed to every member. Cut away, they are not the load
 * repair's concern: it sets the array as read (heldValueWithinBounds).
 */
function elementsPastLimitRead(field: z.ZodType): (value: unknown) => boolean {
  if (!(field instanceof z.ZodArray)) return () => true
  const maximum = maximumOf(field)
  if (maximum === null) return () => true
  const elements = z.array(field.element as z.ZodType)
  return (value) => !Array.isArray(value) || value.length <= maximum || parseWithinLimits(elements, value.slice(maximum)) !== null
}

/** The rule for a key of an entry of `name`; null where other rules rule (its author, time and shared texts) or for no entry. */
function entryRule(name: Collection | null, key: string): ValueRule | null {
  if (name === null) return null
  const rule = ENTRY_RULES.get(name)!.get(key)
  return rule === undefined ? UNNAMED_VALUE : rule
}

/** The rule for a key of a root map: a setting of the board's, or an acknowledgement; null for an entry of a collection (a map: board-shape.ts). */
function rootRule(root: string, key: string): ValueRule | null {
  if (root === META_ROOT) return SETTING_RULES.get(key) ?? null
  return root === ACKNOWLEDGEMENTS_ROOT ? ACKNOWLEDGEMENT_RULE : null
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
