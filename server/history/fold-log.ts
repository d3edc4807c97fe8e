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
 * changed (shared/text-excerpt.ts), so a change costs about what its author
 * wrote, not twice the field's size.
 */
import * as Y from 'yjs'
import { readEntity } from '../../shared/board-convert.ts'
import { COLLECTIONS, collection, entities, type Collection } from '../../shared/board-doc.ts'
import { byText } from '../../shared/entity-order.ts'
import { CARD_ABSENT, CARD_PRESENT, EDIT_SESSION_GAP_MS, type AttributedField } from '../../shared/history-model.ts'
import type { AssessmentChangeRecord, FoldedLog, LogRow } from '../storage/storage.ts'
import { applyStoredPart } from '../relay/merge-state.ts'
import { boundedTextChange } from '../../shared/text-excerpt.ts'
import { personOf } from './authors.ts'
import { newestWithin } from './newest-changes.ts'

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

  /** Changes in order, each replaced by its bounded record (or null: nothing changed) once no longer open. */
  const changes: (AssessmentChangeRecord | null)[] = []
  /** The change each (assessment, field) last had, by its index, to extend while the same person keeps editing it; its values still whole. */
  const open = new Map<string, number>()
  let touched: { assessments: Set<string>; links: Set<string> } = { assessments: new Set(), links: new Set() }
  const onTransaction = (transaction: Y.Transaction) => {
    for (const [type, keys] of transaction.changed) {
      const root = roots.get(type)
      if (root) {
        for (const key of keys) if (key !== null) noteTouched(touched, root, key)
        continue
      }
      const entity = entityOf(type, roots)
      if (entity) noteTouched(touched, entity.collection, entity.id)
    }
  }
  doc.on('afterTransaction', onTransaction)
  try {
    for (const row of rows) {
      touched = { assessments: new Set(), links: new Set() }
      applyStoredPart(doc, row.update, row.seq)
      for (const linkId of touched.links) {
        const before = links.get(linkId)
        if (before) touched.assessments.add(before.assessmentId)
        const link = readEntity(doc, 'links', linkId)
        if (link) {
          links.set(linkId, { assessmentId: link.assessmentId, claimId: link.claimId, rating: link.rating })
          touched.assessments.add(link.assessmentId)
        } else {
          links.delete(linkId)
        }
      }
      for (const assessmentId of touched.assessments) {
        const before = values.get(assessmentId) ?? absentFields()
        const after = readFields(doc, assessmentId, links)
        values.set(assessmentId, after)
        // A card created or deleted is one change, not one per field.
        const fields: AttributedField[] = before.card !== after.card ? ['card'] : (Object.keys(after) as AttributedField[])
        for (const field of fields) {
          if (before[field] === after[field]) continue
          const key = `${assessmentId}\u0000${field}`
          const index = open.get(key)
          const last = index === undefined ? null : changes[index]!
          if (last && personOf(last.author) === personOf(row.origin) && Date.parse(row.at) - Date.parse(last.at) <= EDIT_SESSION_GAP_MS) {
            last.toValue = after[field]
            last.at = row.at
            last.seq = row.seq
            continue
          }
          // Only the open change of each field holds whole values: one field's thousands of changes never do at once.
          if (index !== undefined) changes[index] = recorded(changes[index]!)
          open.set(key, changes.length)
          changes.push({ assessmentId, field, fromValue: before[field], toValue: after[field], author: row.origin, firstAt: row.at, at: row.at, seq: row.seq })
        }
      }
    }
  } finally {
    doc.off('afterTransaction', onTransaction)
  }
  for (const index of open.values()) changes[index] = recorded(changes[index]!)
  return changes.filter((change) => change !== null)
}

/** A change as recorded: a long text's values bounded to what changed; null when typed and taken back within the change (nothing changed). */
function recorded(change: AssessmentChangeRecord): AssessmentChangeRecord | null {
  if (change.fromValue === change.toValue) return null
  if (change.field !== 'title' && change.field !== 'judgment') return change
  const bounded = boundedTextChange(JSON.parse(change.fromValue) as string | null, JSON.parse(change.toValue) as string | null)
  return { ...change, fromValue: JSON.stringify(bounded.from), toValue: JSON.stringify(bounded.to) }
}

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

function noteTouched(touched: { assessments: Set<string>; links: Set<string> }, name: Collection, id: string): void {
  if (name === 'assessments') touched.assessments.add(id)
  else if (name === 'links') touched.links.add(id)
}

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
  // By claim, then rating: the same text whatever order the links were made in.
  const linked = Array.from(links.of(assessmentId), ({ claimId, rating }) => ({ claimId, rating })).sort((a, b) => byText(a.claimId, b.claimId) || byText(a.rating, b.rating))
  return {
    card: JSON.stringify(CARD_PRESENT),
    title: JSON.stringify(assessment.title),
    judgment: JSON.stringify(assessment.judgment),
    kind: JSON.stringify(assessment.kind),
    likelihood: JSON.stringify(assessment.likelihood),
    confidence: JSON.stringify(assessment.confidence),
    impact: JSON.stringify(assessment.impact),
    status: JSON.stringify(assessment.status),
    tags: JSON.stringify(assessment.tags),
    links: JSON.stringify(linked),
  }
}
