/**
 * The text rule (shared/text-hygiene.ts), the fixed quote of an imported
 * claim and the board's layout on the websocket. The server cannot
 * rewrite a Yjs update (its structs are addressed by client and clock), so an
 * update that inserts text no document format can carry is refused whole, and
 * its connection closed with a named code. The browser cleans text before it
 * reaches its Y.Doc, so only a broken or hostile client meets this.
 */
import * as Y from 'yjs'
import { LIMITS } from '../../shared/limits.ts'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { firstUncarriable } from '../../shared/text-hygiene.ts'
import { boardShapeChange, SUBDOCUMENT_REFUSAL } from './board-shape.ts'
import { liveEntryReplacement } from './entry-replacement.ts'
import { fieldValueChange } from './field-values.ts'
import { fixedFieldChange } from './fixed-fields.ts'
import { forwardReference } from './forward-references.ts'
import { itemLandings } from './item-landing.ts'
import { multiUnitMapValue } from './map-values.ts'
import { splitCostInBytes } from './split-cost.ts'
import { walkCostInBytes } from './walk-cost.ts'
import { integrationSteps } from './integration-steps.ts'
import { integrationWorkInBytes, MAX_INTEGRATION_STEPS_PER_UPDATE } from './integration-cost.ts'
import { stampedFieldChange } from './stamped-fields.ts'
import { yardstickChange } from './yardstick-rule.ts'
import { yardstickRecordChange } from './yardstick-record.ts'
import { misplacedContinuation } from './straddling-items.ts'
import { nonTextInText } from './text-content.ts'
import { longMarkRun } from './mark-runs.ts'
import { markRunsJoined } from './mark-joins.ts'
import { AppliedText } from './applied-text.ts'
import { heldDeletions } from './held-deletions.ts'
import { overlongText } from './text-lengths.ts'
import { scanUpdate, type DeletedRange, type ScannedUpdate } from './inserted-values-scan.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type UpdateRefusal = { event: CloseEvent; reason: string }

/**
 * Why an update is refused, or, when it is not, what its splits cost in bytes
 * (split-cost.ts), whether it adds content (inserts anything: only deletions
 * do not), which a full board refuses, and for each client whose structs it
 * lists, the clock after the last, and the steps Yjs will take placing its
 * items (integration-steps.ts), charged to its sender's hour once applied.
 * Refused or not, what the walks along its texts' runs of marks and the
 * count of those steps cost (walk-cost.ts, integration-cost.ts), to be
 * counted against its sender; absent from a refusal made before they are taken.
 */
export type UpdateVerdict =
  | RefusedVerdict
  | { refused: null; splitCostBytes: number; walkCostBytes: number; integrationSteps: number; addsContent: boolean; runEnds: ReadonlyMap<number, number> }

type RefusedVerdict = { refused: UpdateRefusal; walkCostBytes?: number }

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * Whether the update may be applied to the board `doc`. Reads every string it
 * inserts: shared text, map keys and values, formatting attributes, embeds,
 * and the names of root types; works out where each item lands
 * (item-landing.ts) and refuses a new value under a live entry's key
 * (entry-replacement.ts), a change to what an imported claim quotes or
 * to a document's text (fixed-fields.ts), to the author or time of an entry
 * the board holds (stamped-fields.ts) or to the board's layout (board-shape.ts), a
 * map's value of more than one unit (map-values.ts), anything but
 * characters in a shared text (text-content.ts), a run of combining marks
 * longer than the text rule allows made across items (mark-runs.ts) or by
 * joining what lies around them, by deletion or items side by side
 * (mark-joins.ts), a
 * shared text made far longer than its limit (text-lengths.ts), a field set to a value
 * its schema refuses (field-values.ts), a change of the board's yardstick
 * (yardstick-rule.ts), and a likelihood's recorded yardstick set or deleted
 * apart from its band (yardstick-record.ts). An update that cannot be
 * decoded, that inserts more plain values than MAX_INSERTED_VALUES or holds
 * more structs and deletions than MAX_UPDATE_PIECES, whose
 * deletions no Yjs encoder writes, whose item names a later struct of its own
 * client as its neighbour or parent (forward-references.ts), whose item
 * continues its client's held struct elsewhere than that struct lies or after
 * a collected one (straddling-items.ts), whose splits alone would cost more than the
 * largest frame, or that inserts a value nested too deep, is refused as one
 * that cannot be applied. `scanned`: the scan of its bytes (scanWithinBounds),
 * when made already.
 */
export function validateUpdate(update: Uint8Array, doc: Y.Doc, scanned = scanWithinBounds(update)): UpdateVerdict {
  const decoded = decodeWithinBounds(update, scanned)
  return 'refused' in decoded ? decoded : validateDecoded(decoded, doc)
}

/**
 * validateUpdate's first steps: the scan of the update's bytes, then Yjs's
 * decoding; the update as decoded, or why it is refused.
 */
export function decodeWithinBounds(update: Uint8Array, scanned = scanWithinBounds(update)): DecodedUpdate | { refused: UpdateRefusal } {
  const unread = refusedByScan(scanned)
  if (unread) return { refused: unread }
  try {
    return Y.decodeUpdate(update)
  } catch (error) {
    return refused(CLOSE.updateRejected, `undecodable update: ${errorMessage(error)}`)
  }
}

/** validateUpdate's verdict on an update decodeWithinBounds decoded. */
export function validateDecoded(decoded: DecodedUpdate, doc: Y.Doc): UpdateVerdict {
  // A keystroke deletes nothing: no ranges to read.
  const disordered = decoded.ds.clients.size === 0 ? null : disorderedDeletions(rangesOf(decoded.ds))
  if (disordered) return refused(CLOSE.updateRejected, disordered)
  const runs = clientRuns(decoded.structs)
  if (typeof runs === 'string') return refused(CLOSE.updateRejected, runs)
  const forward = forwardReference(decoded)
  if (forward) return refused(CLOSE.updateRejected, forward)
  const splitCostBytes = splitCostInBytes(decoded, doc)
  if (splitCostBytes > LIMITS.maxMessageBytes) {
    return refused(CLOSE.updateRejected, `update splits the board's structs at a cost of more than ${LIMITS.maxMessageBytes} bytes of changes`)
  }
  // Counted to the bound only: the count costs what Yjs's walk does.
  const steps = integrationSteps(doc, decoded, MAX_INTEGRATION_STEPS_PER_UPDATE)
  const integrationCostBytes = integrationWorkInBytes(Math.min(steps, MAX_INTEGRATION_STEPS_PER_UPDATE))
  if (steps > MAX_INTEGRATION_STEPS_PER_UPDATE) {
    return refused(CLOSE.updateRejected, `update places items among items inserted at the same places unseen in more than ${MAX_INTEGRATION_STEPS_PER_UPDATE} steps`, integrationCostBytes)
  }
  const { found } = walkInsertedValues(decoded.structs)
  if (found) return refused(found.kind === 'text' ? CLOSE.invalidText : CLOSE.updateRejected, `update inserts ${found.what}`, integrationCostBytes)
  const landings = itemLandings(doc, decoded)
  const misplaced = misplacedContinuation(doc, landings)
  if (misplaced) return refused(CLOSE.updateRejected, misplaced, integrationCostBytes)
  const replaced = liveEntryReplacement(doc, decoded, landings)
  if (replaced) return refused(CLOSE.updateRejected, replaced, integrationCostBytes)
  const deletions = heldDeletions(doc, decoded.ds)
  const fixed = fixedFieldChange(doc, decoded, landings, deletions)
  if (fixed) return refused(CLOSE.quoteFixed, fixed, integrationCostBytes)
  const restamped = stampedFieldChange(doc, landings)
  if (restamped) return refused(CLOSE.updateRejected, restamped, integrationCostBytes)
  const misshapen = boardShapeChange(doc, decoded, landings)
  if (misshapen) return refused(CLOSE.updateRejected, misshapen, integrationCostBytes)
  const multiUnit = multiUnitMapValue(decoded, landings)
  if (multiUnit) return refused(CLOSE.updateRejected, multiUnit, integrationCostBytes)
  const notText = nonTextInText(doc, decoded, landings)
  if (notText) return refused(CLOSE.updateRejected, notText, integrationCostBytes)
  // One walker for both rules on marks: their walks share its budget and what it found.
  const applied = new AppliedText(decoded.ds)
  const longRun = markRunsJoined(deletions, applied) ?? longMarkRun(doc, landings, applied)
  // Charged refused or not: a refused frame sent again and again, over new sockets too, has the relay walk as long each time.
  const walkCostBytes = walkCostInBytes(applied.stepsTaken()) + integrationCostBytes
  if (longRun) return refused(CLOSE.invalidText, longRun, walkCostBytes)
  const overlong = overlongText(doc, decoded, landings, deletions)
  if (overlong) return refused(CLOSE.updateRejected, overlong, walkCostBytes)
  const outOfSchema = fieldValueChange(doc, decoded, landings)
  if (outOfSchema) return refused(CLOSE.updateRejected, outOfSchema, walkCostBytes)
  const restated = yardstickChange(doc, decoded, landings)
  if (restated) return refused(CLOSE.updateRejected, restated, walkCostBytes)
  const misrecorded = yardstickRecordChange(doc, decoded, landings, deletions)
  if (misrecorded) return refused(CLOSE.updateRejected, misrecorded, walkCostBytes)
  return { refused: null, splitCostBytes, walkCostBytes, integrationSteps: steps, addsContent: landings.length > 0, runEnds: runs }
}

/**
 * What the scan of `update`'s bytes counts (inserted-values-scan.ts), each
 * count read only until it passes its bound: validateUpdate's first step,
 * which what the update's check costs is counted on before it runs (check-cost.ts).
 */
export function scanWithinBounds(update: Uint8Array): ScannedUpdate | null {
  return scanUpdate(update, { values: MAX_INSERTED_VALUES, pieces: MAX_UPDATE_PIECES, subdocuments: 0 })
}

/**
 * Why the scan of an update's bytes (scanWithinBounds) refuses it before Yjs
 * decodes anything, or null: a subdocument, more values or pieces than one
 * update may hold, or deleted ranges no Yjs encoder writes
 * (disorderedDeletions), refused here rather than in a worker thread (a frame
 * of 7,000 ranges dear enough to be checked there held its room's edits 30 s).
 */
export function refusedByScan(scanned: ScannedUpdate | null): UpdateRefusal | null {
  if (scanned === null) return null
  if (scanned.subdocuments > 0) return { event: CLOSE.updateRejected, reason: SUBDOCUMENT_REFUSAL }
  if (scanned.values > MAX_INSERTED_VALUES) {
    return { event: CLOSE.updateRejected, reason: `update inserts ${scanned.values} values or more, past the ${MAX_INSERTED_VALUES} one update may` }
  }
  if (scanned.pieces > MAX_UPDATE_PIECES) {
    return { event: CLOSE.updateRejected, reason: `update holds ${scanned.pieces} structs and deleted ranges or more, past the ${MAX_UPDATE_PIECES} one update may` }
  }
  const disordered = disorderedDeletions(scanned.deleted)
  return disordered === null ? null : { event: CLOSE.updateRejected, reason: disordered }
}

/** `walkCostBytes`: what the walks along runs of marks and the count of integration steps cost before it was refused (none were taken before they are). */
function refused(event: CloseEvent, reason: string, walkCostBytes = 0): RefusedVerdict {
  return { refused: { event, reason }, walkCostBytes }
}

/**
 * Every Yjs encoder writes a client's deleted ranges sorted by clock and
 * merged, ranges that touch joined into one (sortAndMergeDeleteSet for a
 * transaction, mergeDeleteSets for Y.mergeUpdates, and
 * createDeleteSetFromStructStore, which joins deleted structs side by side,
 * for a sync step 2), and both Yjs's apply and fixedFieldChange walk the
 * doc's structs from each range's start: ranges that repeat or overlap would
 * make one frame cost its ranges times the structs they cover (3 MB of one
 * range repeated held the relay a minute), and ranges that touch, the
 * walker along a text (applied-text.ts) each range it passes times the
 * ranges of that item (1,300 touching ranges of one character, deleting one
 * item, held the relay 0.55 to 1.1 s). Only a hostile client sends them.
 * `ranges`: the update's ranges in the order it lists them, each with its
 * client (a client listed twice has its ranges read as one list, as Yjs
 * decodes them).
 */
function disorderedDeletions(ranges: Iterable<DeletedRange>): string | null {
  // Made at the first range: most updates delete nothing, and this runs twice for each (the scan's, the decoding's).
  let ends: Map<number, number> | undefined
  for (const { client, clock, len } of ranges) {
    ends ??= new Map()
    const end = ends.get(client)
    if (end !== undefined && clock <= end) {
      return `update deletes ranges of client ${client} out of order, overlapping or touching (clock ${clock} at or before ${end}, where the range before ended), which no Yjs encoder writes`
    }
    ends.set(client, clock + len)
  }
  return null
}

/** The ranges of a decoded delete set, each with its client, in the order disorderedDeletions reads them. */
function* rangesOf(ds: DecodedUpdate['ds']): Generator<DeletedRange> {
  for (const [client, ranges] of ds.clients) for (const { clock, len } of ranges) yield { client, clock, len }
}

/**
 * Every Yjs encoder writes a client's structs as one run, from a clock on. Yjs
 * applies only the last run an update gives a client, while the checks here
 * read every struct the update lists: a first run that put an item into a
 * map, and a second that put the same id into a text, let an embed placed
 * beside it pass as landing in the map (text-content.ts) and land in the
 * text. Only a hostile client sends them. Returns why, or else each client's
 * clock after its run.
 */
function clientRuns(structs: DecodedUpdate['structs']): Map<number, number> | string {
  const ends = new Map<number, number>()
  let client: number | null = null
  let end = 0
  for (const struct of structs) {
    const { id } = struct
    if (id.client !== client) {
      if (ends.has(id.client)) return `update lists the structs of client ${id.client} in more than one run`
      client = id.client
    } else if (id.clock !== end) {
      return `update lists the structs of client ${id.client} in more than one run (clock ${id.clock} after ${end})`
    }
    end = id.clock + struct.length
    ends.set(client, end)
  }
  return ends
}

/** The values an item inserts that may hold strings. */
function insertedValues(item: Y.Item): unknown[] {
  const values: unknown[] = [item.parentSub, typeof item.parent === 'string' ? item.parent : null]
  const content = item.content
  if (content instanceof Y.ContentString) values.push(content.str)
  else if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) values.push(content.arr)
  else if (content instanceof Y.ContentFormat) values.push(content.key, content.value)
  else if (content instanceof Y.ContentEmbed) values.push(content.embed)
  return values
}

/**
 * The values, array elements and object keys one update may insert as plain
 * values (ContentAny, ContentJSON), nested ones included. Each costs the relay
 * a JavaScript value at every decoding (two before it is applied) and a step
 * of every walk, for as little as one byte of update (`null`): a document
 * whose text was an array of 3 million empty objects, 6 MB, held the relay's
 * thread 5 to 6 s, 12 MB 23 to 44 s. The board's model holds one value a
 * field, a list of at most 32 tags, an acknowledgement of five: the whole
 * board of 1,000 assessments and 5,000 claims, sent as one update, holds
 * 70,205. The rule, counted the same on the update's bytes and on its
 * decoded values: the elements of an item's ContentAny or ContentJSON, of a
 * formatting mark's value or an embed, and of every array nested in them, and
 * two (key and value) for each key of an object there. An update past it is
 * refused (4422) by the scan of its bytes (inserted-values-scan.ts), before
 * Yjs decodes it (that decoding alone held the relay 2 to 7 s); the walk's
 * count after decoding (walkInsertedValues; inserted-values-scan.test.ts
 * checks both agree) refuses only what the scan could not read.
 */
export const MAX_INSERTED_VALUES = 200_000

/**
 * The structs and ranges of deletions one update may hold. Yjs builds an
 * object for each at every decoding, however little it holds: 6 million
 * structs of one unit each (2 bytes apiece, a 12 MB frame) held the relay's
 * thread 16 s and were accepted, 3 million ordered deletions 10 to 16 s. The
 * whole board of 1,000 assessments, sent as one update, holds 85,247 structs
 * and 2 ranges. Counted on the update's bytes (inserted-values-scan.ts), each
 * count as it is read, before Yjs decodes anything.
 */
export const MAX_UPDATE_PIECES = 200_000

type Uncarriable = { kind: 'text' | 'depth' | 'width'; what: string }

/**
 * Walks the values the update's items insert (firstUncarriableIn): the plain
 * values counted (MAX_INSERTED_VALUES's count after decoding), and the first
 * thing found there that is refused, or null.
 */
export function walkInsertedValues(structs: DecodedUpdate['structs']): { values: number; found: Uncarriable | null } {
  const walked = { values: 0 }
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue
    const found = holdsPlainValues(struct.content) ? firstUncarriableIn(insertedValues(struct), walked) : firstUncarriableName(struct)
    if (found) return { values: walked.values, found }
  }
  return { values: walked.values, found: null }
}

/** Whether the item's content holds values that are not strings (insertedValues): the others hold a string at most. */
function holdsPlainValues(content: Y.Item['content']): boolean {
  return content instanceof Y.ContentAny || content instanceof Y.ContentJSON || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed
}

/**
 * firstUncarriableIn of an item whose content holds no plain values (a
 * keystroke's ContentString): its strings read in the order that walk reads
 * them (its text, its parent's name, its key), without the walk's stack.
 */
function firstUncarriableName(item: Y.Item): Uncarriable | null {
  const text = item.content instanceof Y.ContentString ? firstUncarriable(item.content.str) : null
  const found = text ?? (typeof item.parent === 'string' ? firstUncarriable(item.parent) : null) ?? (item.parentSub === null ? null : firstUncarriable(item.parentSub))
  return found ? { kind: 'text', what: found } : null
}

/**
 * Walks nested arrays and objects (keys too) without recursion: a deep value
 * cannot exhaust the stack here. Yjs encodes such values again recursively
 * (JSON.stringify, lib0's writeAny) for every update, sync and snapshot: 10,000
 * nested arrays overflowed the stack inside the transaction that applied
 * them, and the board's document then sent out no change at all, every later
 * edit lost. A value nested deeper than a request body may be is refused, and
 * so is the update once the values walked in all (`walked`, over its items)
 * pass MAX_INSERTED_VALUES.
 */
function firstUncarriableIn(values: unknown[], walked: { values: number }): Uncarriable | null {
  const stack = values.map((value) => ({ value, depth: 0 }))
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!
    if (typeof value === 'string') {
      const found = firstUncarriable(value)
      if (found) return { kind: 'text', what: found }
    } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      if (depth >= LIMITS.maxJsonDepth) return { kind: 'depth', what: `a value nested deeper than ${LIMITS.maxJsonDepth} levels` }
      const entries = Array.isArray(value) ? null : Object.entries(value)
      walked.values += entries === null ? (value as unknown[]).length : entries.length * 2
      if (walked.values > MAX_INSERTED_VALUES) return { kind: 'width', what: `more than ${MAX_INSERTED_VALUES} values, past the bound of one update` }
      if (entries === null) for (const element of value as unknown[]) stack.push({ value: element, depth: depth + 1 })
      else for (const [key, nested] of entries) stack.push({ value: key, depth: depth + 1 }, { value: nested, depth: depth + 1 })
    }
  }
  return null
}
