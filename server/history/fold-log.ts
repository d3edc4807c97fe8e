/**
 * Inside a worker thread: the log's rows replayed one by one on top of a
 * checkpoint, noting after each which assessment fields it changed, and who
 * sent it (the row's origin, set by the server from the signed-in principal,
 * never from what a client claims). Rows are whole transactions, so each
 * intermediate state is one that existed. Only the assessments a row touched
 * are read again, so a row costs what it changed, not the size of the board.
 *
 * A person's edits of one field within a few minutes are one change, from
 * the value before the first to the value after the last, whether they came
 * over the websocket or HTTP. A long text is recorded as the part of it that
 * changed (shared/text-excerpt.ts), and tags and links as the items added and
 * removed (shared/list-excerpt.ts), so a change costs about what its author
 * wrote, not twice the field's size.
 */
import * as Y from 'yjs'
import type { z } from 'zod'
import { readEntity } from '../../shared/board-convert.ts'
import { ASSESSMENT_TEXT_FIELDS, boardProfile, COLLECTIONS, collection, entities, isAssessmentTextField, type AssessmentTextField, type Collection } from '../../shared/board-doc.ts'
import { ENTITY_SCHEMAS, entityFieldSchema } from '../../shared/board-model.ts'
import { byText } from '../../shared/entity-order.ts'
import { CARD_ABSENT, CARD_PRESENT, EDIT_SESSION_GAP_MS, LIST_FIELDS, type AttributedField } from '../../shared/history-model.ts'
import type { AssessmentChangeRecord, FoldedLog, LogRow } from '../storage/storage.ts'
import { applyStoredPart } from '../relay/merge-state.ts'
import { boundedListChange } from '../../shared/list-excerpt.ts'
import { boundedTextChange } from '../../shared/text-excerpt.ts'
import { personOf } from './authors.ts'
import { newestWithin } from './newest-changes.ts'
import { notePairs, splitPairs, surrogatePairs, textBefore, textEdits, type SurrogatePairs, type TextEdit } from './text-edits.ts'
import { hasUncarriableText } from '../../shared/text-hygiene.ts'
import { parseWithinLimits } from '../../shared/within-limits.ts'
import { recordedLikelihood } from '../../shared/stated-likelihood.ts'
import { yardstickOf } from '../../shared/domain.ts'

type FieldValues = Record<AttributedField, string>
/** Any shared type of the document, as a transaction names what it changed. */
type SharedType = Y.Transaction['changed'] extends Map<infer T, unknown> ? T : never
type LinkFacts = { assessmentId: string; claimId: string; rating: string }

/** A checkpoint and the rows after it folded into one state, with the changes the rows made. */
export function foldLog(checkpoint: Uint8Array | null, rows: readonly LogRow[]): FoldedLog {
  const doc = new Y.Doc()
  try {
    if (checkpoint) applyStoredPart(doc, checkpoint, 'checkpoint')
    const changes = attributeRows(doc, rows)
    return { state: Y.encodeStateAsUpdate(doc), changes }
  } finally {
    doc.destroy()
  }
}

/** The changes the rows after a checkpoint made, without folding them (the newest rows, not yet compacted). */
export function changesOfRows(checkpoint: Uint8Array | null, rows: readonly LogRow[]): AssessmentChangeRecord[] {
  const doc = new Y.Doc()
  try {
    if (checkpoint) applyStoredPart(doc, checkpoint, 'checkpoint')
    return attributeRows(doc, rows)
  } finally {
    doc.destroy()
  }
}

/**
 * The newest changes of those rows that one listing holds (newest-changes.ts),
 * oldest first; `complete` is false when older ones were left out. Worked out
 * here, so that only what a listing can use is sent to the relay's thread and
 * kept there.
 */
export function newestChangesOfRows(checkpoint: Uint8Array | null, rows: readonly LogRow[]): { changes: AssessmentChangeRecord[]; complete: boolean } {
  const all = changesOfRows(checkpoint, rows)
  const changes = newestWithin(all)
  return { changes, complete: changes.length === all.length }
}

/** Applies each row to `doc` and returns the changes of attributed fields, coalesced per person, field and session. */
function attributeRows(doc: Y.Doc, rows: readonly LogRow[]): AssessmentChangeRecord[] {
  const roots = new Map<SharedType, Collection>(COLLECTIONS.map((name) => [collection(doc, name) as unknown as SharedType, name]))
  const links = new LinkIndex()
  for (const [id] of entities(doc, 'links')) {
    const link = readEntity(doc, 'links', id)
    if (link) links.set(id, { assessmentId: link.assessmentId, claimId: link.claimId, rating: link.rating })
  }
  const values = new Map<string, FieldValues>()
  for (const [id] of entities(doc, 'assessments')) values.set(id, readFields(doc, id, links))

  const changes: AssessmentChangeRecord[] = []
  /** The change each (assessment, field) last had, to extend while the same person keeps editing it. */
  const open = new Map<string, AssessmentChangeRecord>()
  /**
   * Texts typed into and not read since, by card and field: their value in `values`, and the `toValue` of their open
   * change, are stale until read, when the session ends or the log does. Reading a judgment after each keystroke made
   * a fold quadratic in its length.
   */
  const unread = new Map<string, Map<AssessmentTextField, Y.Text>>()
  /**
   * Texts known to hold nothing `cleanText` changes (typing carriable strings into one within its limit changes its
   * value), with their surrogate pairs, to read one left unread as it was before a row split a pair.
   */
  const clean = new WeakMap<Y.Text, SurrogatePairs>()
  let row: LogRow = rows[0]!
  let touched = noneTouched()

  const continues = (change: AssessmentChangeRecord | undefined): change is AssessmentChangeRecord =>
    change !== undefined && personOf(change.author) === personOf(row.origin) && Date.parse(row.at) - Date.parse(change.at) <= EDIT_SESSION_GAP_MS
  const settle = (assessmentId: string, field: AssessmentTextField, value: string) => {
    values.get(assessmentId)![field] = value
    open.get(changeKey(assessmentId, field))!.toValue = value
    unread.get(assessmentId)?.delete(field)
  }
  const attribute = (assessmentId: string, field: AttributedField, before: string, after: string) => {
    if (before === after) return
    const last = open.get(changeKey(assessmentId, field))
    // A card's creation and its deletion are each a change of their own: joined, a card its author deleted within
    // minutes recorded nothing, and nobody could read who deleted it (the page of a colleague editing it asks).
    if (field !== 'card' && continues(last)) {
      last.toValue = after
      last.at = row.at
      last.seq = row.seq
      return
    }
    begin({ assessmentId, field, fromValue: before, toValue: after, author: row.origin, firstAt: row.at, at: row.at, seq: row.seq })
  }
  /** A new change of its field: the one it follows is closed, so only open changes ever hold a long text or a list whole. */
  const begin = (change: AssessmentChangeRecord) => {
    const key = changeKey(change.assessmentId, change.field)
    const previous = open.get(key)
    if (previous) bound(previous)
    changes.push(change)
    open.set(key, change)
  }

  const onTransaction = (transaction: Y.Transaction) => {
    const now = noneTouched()
    for (const [type, keys] of transaction.changed) {
      const root = roots.get(type)
      if (root) {
        for (const key of keys) if (key !== null) noteTouched(now, root, key)
        continue
      }
      const entity = entityOf(type, roots)
      const textField = entity?.collection === 'assessments' ? cardTextField(type, roots) : null
      if (entity && textField) noteTextTouched(now, entity.id, textField, type as unknown as Y.Text)
      else if (entity) noteTouched(now, entity.collection, entity.id)
    }
    const edits = textEdits(transaction)
    for (const texts of now.texts.values()) {
      for (const [field, text] of texts) now.verdicts.set(text, textVerdict(text, field, edits.get(text), clean))
    }
    const split = new Map<Y.Text, SurrogatePairs>()
    for (const [text, edit] of edits) {
      const pairs = clean.get(text)
      if (!pairs) continue
      split.set(text, splitPairs(pairs, edit))
      const verdict = now.verdicts.get(text)
      if (verdict === 'changed') for (const item of edit.items) notePairs(pairs, item)
      else if (verdict !== 'unchanged') clean.delete(text)
    }
    // A text left unread whose value this transaction may change is read as it was before, while that can be read.
    for (const assessmentId of now.assessments) {
      for (const [field, text] of unread.get(assessmentId) ?? []) {
        const edited = now.whole.has(assessmentId) ? undefined : now.texts.get(assessmentId)?.get(field)
        const verdict = edited && now.verdicts.get(edited)
        if (!now.whole.has(assessmentId) && (!edited || verdict === 'unchanged')) continue
        if (verdict === 'changed' && continues(open.get(changeKey(assessmentId, field)))) continue
        settle(assessmentId, field, textValue(field, textBefore(text, transaction, split.get(text))))
      }
    }
    addTouched(touched, now)
  }
  doc.on('afterTransaction', onTransaction)
  try {
    for (row of rows) {
      touched = noneTouched()
      const yardstick = yardstickOf(boardProfile(doc))
      applyStoredPart(doc, row.update, row.seq)
      // A change of the board's yardstick changes how every untouched card's likelihood is recorded, not what anyone stated.
      if (yardstickOf(boardProfile(doc)) !== yardstick) for (const [id, fields] of values) if (!touched.whole.has(id)) fields.likelihood = likelihoodValue(doc, id)
      const linked = new Set<string>()
      for (const linkId of touched.links) {
        const before = links.get(linkId)
        if (before) linked.add(before.assessmentId)
        const link = readEntity(doc, 'links', linkId)
        if (link) {
          links.set(linkId, { assessmentId: link.assessmentId, claimId: link.claimId, rating: link.rating })
          linked.add(link.assessmentId)
        } else {
          links.delete(linkId)
        }
      }
      for (const assessmentId of linked) touched.assessments.add(assessmentId)
      for (const assessmentId of touched.assessments) {
        const before = values.get(assessmentId) ?? absentFields()
        if (touched.whole.has(assessmentId)) {
          const after = readFields(doc, assessmentId, links)
          values.set(assessmentId, after)
          // A card created or deleted is one change, not one per field.
          const fields: AttributedField[] = before.card !== after.card ? ['card'] : (Object.keys(after) as AttributedField[])
          for (const field of fields) attribute(assessmentId, field, before[field], after[field])
          continue
        }
        // Only its texts' content or its links changed: the card's other fields, and whether it reads at all, did not.
        if (before.card !== JSON.stringify(CARD_PRESENT)) continue
        for (const [field, text] of touched.texts.get(assessmentId) ?? []) {
          const verdict = touched.verdicts.get(text)
          if (verdict === 'changed') {
            const last = open.get(changeKey(assessmentId, field))
            if (continues(last)) {
              last.at = row.at
              last.seq = row.seq
            } else {
              begin({ assessmentId, field, fromValue: before[field], toValue: before[field], author: row.origin, firstAt: row.at, at: row.at, seq: row.seq })
            }
            unread.set(assessmentId, (unread.get(assessmentId) ?? new Map<AssessmentTextField, Y.Text>()).set(field, text))
          } else if (verdict === 'unknown') {
            const string = text.toString()
            if (hasUncarriableText(string)) clean.delete(text)
            else clean.set(text, surrogatePairs(text))
            const after = textValue(field, string)
            attribute(assessmentId, field, before[field], after)
            before[field] = after
          }
        }
        if (linked.has(assessmentId)) {
          const after = linksValue(assessmentId, links)
          attribute(assessmentId, 'links', before.links, after)
          before.links = after
        }
      }
    }
  } finally {
    doc.off('afterTransaction', onTransaction)
  }
  for (const [assessmentId, texts] of unread) for (const [field, text] of texts) settle(assessmentId, field, textValue(field, text.toString()))
  for (const change of open.values()) bound(change)
  // Typed and taken back within one session: nothing changed.
  return changes.filter((change) => change.fromValue !== change.toValue)
}

/**
 * A change as recorded: a long title's or judgment's values bounded to the part that changed, tags and links to the
 * items added and removed (equal values stay equal).
 */
export function asRecorded(change: AssessmentChangeRecord): AssessmentChangeRecord {
  const bounded = LIST_FIELDS.has(change.field) ? boundedListChange : change.field === 'title' || change.field === 'judgment' ? boundedTextChange : null
  if (!bounded) return change
  const { from, to } = bounded(JSON.parse(change.fromValue) as string | null, JSON.parse(change.toValue) as string | null)
  return { ...change, fromValue: JSON.stringify(from), toValue: JSON.stringify(to) }
}

/** A closed change made as recorded in place: it is no longer extended, and the list of changes holds it. */
const bound = (change: AssessmentChangeRecord) => Object.assign(change, asRecorded(change))

/** Every link's facts by its id, and the links of each assessment, kept in step: reading a card's links costs its own links, not the board's. */
class LinkIndex {
  private readonly byId = new Map<string, LinkFacts>()
  private readonly byAssessment = new Map<string, Map<string, LinkFacts>>()

  get(linkId: string): LinkFacts | undefined {
    return this.byId.get(linkId)
  }

  set(linkId: string, facts: LinkFacts): void {
    // A link moved to another card leaves its first card's links.
    if (this.byId.get(linkId)?.assessmentId !== facts.assessmentId) this.delete(linkId)
    this.byId.set(linkId, facts)
    const ofAssessment = this.byAssessment.get(facts.assessmentId) ?? new Map<string, LinkFacts>()
    this.byAssessment.set(facts.assessmentId, ofAssessment.set(linkId, facts))
  }

  delete(linkId: string): void {
    const before = this.byId.get(linkId)
    if (!before) return
    this.byId.delete(linkId)
    const ofAssessment = this.byAssessment.get(before.assessmentId)
    ofAssessment?.delete(linkId)
    if (ofAssessment?.size === 0) this.byAssessment.delete(before.assessmentId)
  }

  of(assessmentId: string): Iterable<LinkFacts> {
    return this.byAssessment.get(assessmentId)?.values() ?? []
  }
}

/**
 * What one row touched: every card, in the order the transaction named them; those whose own fields or existence
 * changed (`whole`, read again whole); the title and judgment texts of the others whose content alone changed, with
 * what that did to their value; the links.
 */
type Touched = {
  assessments: Set<string>
  whole: Set<string>
  texts: Map<string, Map<AssessmentTextField, Y.Text>>
  verdicts: Map<Y.Text, TextVerdict>
  links: Set<string>
}

function noneTouched(): Touched {
  return { assessments: new Set(), whole: new Set(), texts: new Map(), verdicts: new Map(), links: new Set() }
}

/**
 * One row's transactions together. Applying an update is one transaction, but Yjs follows one that formatted a text
 * with another that removes formatting marks left over: that one changes no text's value, and adds nothing to what
 * the first found.
 */
function addTouched(row: Touched, transaction: Touched): void {
  for (const id of transaction.assessments) row.assessments.add(id)
  for (const id of transaction.whole) row.whole.add(id)
  for (const id of transaction.links) row.links.add(id)
  for (const [id, texts] of transaction.texts) for (const [field, text] of texts) noteTextTouched(row, id, field, text)
  for (const [text, verdict] of transaction.verdicts) {
    const before = row.verdicts.get(text)
    row.verdicts.set(text, before === undefined || before === verdict || before === 'unchanged' ? verdict : verdict === 'unchanged' ? before : 'unknown')
  }
}

function noteTouched(touched: Touched, name: Collection, id: string): void {
  if (name === 'assessments') {
    touched.assessments.add(id)
    touched.whole.add(id)
  } else if (name === 'links') touched.links.add(id)
}

function noteTextTouched(touched: Touched, assessmentId: string, field: AssessmentTextField, text: Y.Text): void {
  touched.assessments.add(assessmentId)
  touched.texts.set(assessmentId, (touched.texts.get(assessmentId) ?? new Map<AssessmentTextField, Y.Text>()).set(field, text))
}

/** The field a card's title or judgment text is, when `type` is one; null for any other type. */
function cardTextField(type: SharedType, roots: Map<SharedType, Collection>): AssessmentTextField | null {
  const item = type._item
  if (!(type instanceof Y.Text) || !item || !isAssessmentTextField(item.parentSub)) return null
  const card = item.parent
  return card instanceof Y.AbstractType && card._item && roots.get(card._item.parent as SharedType) === 'assessments' ? item.parentSub : null
}

/**
 * What a row's edit did to a text field's value, told from the edit alone where that is certain: nothing visible
 * changed (formatting marks split no surrogate pair); or, in a text known clean that stays within its limit (the value is then the text itself), carriable
 * strings inserted or removed whose characters differ. Anything else (an embed, a character `cleanText` drops, a
 * text over its limit, a string replaced by the same characters) is unknown, and the text is read.
 */
type TextVerdict = 'unchanged' | 'changed' | 'unknown'

function textVerdict(text: Y.Text, field: AssessmentTextField, edit: TextEdit | undefined, clean: WeakMap<Y.Text, SurrogatePairs>): TextVerdict {
  if (!edit) return 'unchanged'
  if (!edit.other && edit.inserted.length === 0 && edit.deleted.length === 0) {
    // Formatting marks alone change the string only where one split a pair.
    const pairs = clean.get(text)
    return edit.formatted && (!pairs || edit.edges.some((edge) => pairs.has(edge))) ? 'unknown' : 'unchanged'
  }
  if (edit.other || !clean.has(text) || edit.inserted.some(hasUncarriableText)) return 'unknown'
  const inserted = edit.inserted.join('')
  const deleted = edit.deleted.join('')
  const lengthBefore = text.length - inserted.length + deleted.length
  if (Math.max(lengthBefore, text.length) > TEXT_LIMITS[field]) return 'unknown'
  if (inserted.length !== deleted.length) return 'changed'
  return sortedUnits(inserted) !== sortedUnits(deleted) ? 'changed' : 'unknown'
}

const sortedUnits = (text: string) => text.split('').sort().join('')

/** Each text field's schema alone, and its limit: what a card's text reads as (within-limits.ts). */
const TEXT_SCHEMAS = Object.fromEntries(ASSESSMENT_TEXT_FIELDS.map((field) => [field, entityFieldSchema('assessments', field)!])) as Record<AssessmentTextField, z.ZodObject>
const TEXT_LIMITS = Object.fromEntries(
  ASSESSMENT_TEXT_FIELDS.map((field) => [field, (ENTITY_SCHEMAS.assessments.shape[field] as z.ZodString).maxLength ?? Infinity]),
) as Record<AssessmentTextField, number>

/** A present card's title or judgment, as `readFields` reads it, from its text's string. */
function textValue(field: AssessmentTextField, text: string): string {
  const parsed = parseWithinLimits(TEXT_SCHEMAS[field], { [field]: text }) as Record<AssessmentTextField, string> | null
  return JSON.stringify(parsed?.[field] ?? null)
}

const changeKey = (assessmentId: string, field: string) => `${assessmentId}\u0000${field}`

/** The collection and id of the entity a nested type belongs to, or null for anything else. */
function entityOf(type: SharedType, roots: Map<SharedType, Collection>): { collection: Collection; id: string } | null {
  let current: SharedType = type
  while (current._item) {
    const parent = current._item.parent
    if (!(parent instanceof Y.AbstractType)) return null
    const name = roots.get(parent as SharedType)
    if (name) return current._item.parentSub === null ? null : { collection: name, id: current._item.parentSub }
    current = parent as SharedType
  }
  return null
}

function absentFields(): FieldValues {
  const absent = JSON.stringify(null)
  return {
    card: JSON.stringify(CARD_ABSENT),
    title: absent,
    judgment: absent,
    kind: absent,
    likelihood: absent,
    confidence: absent,
    impact: absent,
    status: absent,
    tags: absent,
    links: JSON.stringify([]),
  }
}

/** The assessment's attributed fields as JSON texts, compared as such. */
function readFields(doc: Y.Doc, assessmentId: string, links: LinkIndex): FieldValues {
  const assessment = readEntity(doc, 'assessments', assessmentId)
  if (!assessment) return absentFields()
  return {
    card: JSON.stringify(CARD_PRESENT),
    title: JSON.stringify(assessment.title),
    judgment: JSON.stringify(assessment.judgment),
    kind: JSON.stringify(assessment.kind),
    likelihood: JSON.stringify(recordedLikelihood(assessment, boardProfile(doc))),
    confidence: JSON.stringify(assessment.confidence),
    impact: JSON.stringify(assessment.impact),
    status: JSON.stringify(assessment.status),
    tags: JSON.stringify(assessment.tags),
    links: linksValue(assessmentId, links),
  }
}

/** A card's likelihood as `readFields` reads it: with the yardstick it is stated under where that is not the board's (shared/stated-likelihood.ts). */
function likelihoodValue(doc: Y.Doc, assessmentId: string): string {
  const assessment = readEntity(doc, 'assessments', assessmentId)
  return JSON.stringify(assessment ? recordedLikelihood(assessment, boardProfile(doc)) : null)
}

/** A present card's links as `readFields` reads them. */
function linksValue(assessmentId: string, links: LinkIndex): string {
  // By claim, then rating: the same text whatever order the links were made in.
  const linked = Array.from(links.of(assessmentId), ({ claimId, rating }) => ({ claimId, rating })).sort((a, b) => byText(a.claimId, b.claimId) || byText(a.rating, b.rating))
  return JSON.stringify(linked)
}
