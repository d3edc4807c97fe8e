/**
 * The fields of a board entry that a websocket client may not set freely
 * (stamped-fields.ts), and those an entry brought back under its key keeps
 * from the entry deleted there (deleted-entries.ts): its author and time and,
 * for a claim, where it quotes a document from and, when it does, its words
 * and source, as fixed-fields.ts holds them for a claim the board holds.
 */
import * as Y from 'yjs'
import type { Collection } from '../../shared/board-doc.ts'
import { CLAIM_PROVENANCE_FIELDS, DOCUMENT_FIXED_FIELDS, IMPORTED_CLAIM_FIXED_FIELDS } from '../../shared/board-mutations.ts'

/** The fields of an entry the relay holds to the sender and the server's clock: its author's name, where it has one, and its time. */
export type StampedFields = { author?: string; time: string }

export const ENTRY_FIELDS = {
  sources: { time: 'createdAt' },
  documents: { author: 'importedBy', time: 'importedAt' },
  claims: { author: 'createdBy', time: 'createdAt' },
  assessments: { author: 'createdBy', time: 'createdAt' },
  links: { time: 'createdAt' },
} as const satisfies Record<Collection, StampedFields>

/** An acknowledgement is one plain value, `{ rule, reason, createdAt, createdBy }`. */
export const ACKNOWLEDGEMENT_FIELDS = { author: 'createdBy', time: 'createdAt' } as const satisfies StampedFields

/**
 * A value a kept field may hold: the model's kept fields are strings and
 * numbers. A Y type or a subdocument is the document's own object, integrated
 * where it stands: set again on an entry brought back, Yjs threw inside the
 * transaction applying the update and the board was reset for everyone.
 */
export type KeptValue = string | number | boolean

/** What an entry held of the fields it keeps, by field; a field it did not hold, or held as no KeptValue, is absent. */
export type KeptFields = Readonly<Record<string, KeptValue>>

/**
 * The fields an entry keeps when it comes back under its key: its stamped
 * fields, a document's text (its claims quote it), and a claim's provenance,
 * with its words and source when it has a provenance (an imported claim's are
 * fixed; a claim by hand's can be edited).
 */
export function keptFields(name: Collection, earlier: KeptFields): string[] {
  const { author, time } = ENTRY_FIELDS[name] as StampedFields
  const kept = [...(author === undefined ? [] : [author]), time]
  if (name === 'documents') return [...kept, ...DOCUMENT_FIXED_FIELDS]
  if (name !== 'claims') return kept
  return [...kept, ...CLAIM_PROVENANCE_FIELDS, ...(typeof earlier['documentId'] === 'string' ? IMPORTED_CLAIM_FIXED_FIELDS : [])]
}

/** Every field an entry of `name` may keep, whatever it holds. */
export function keepableFields(name: Collection): string[] {
  return keptFields(name, { documentId: '' })
}

/**
 * The fields `entry` holds of those an entry can keep, read from its items
 * as they are: a deleted map answers no `get`, but until Yjs collects it at the
 * end of the transaction that deleted it, its items still hold their values.
 * Only kept values are read: an entry stored before the relay refused any
 * other there (board-shape.ts) keeps nothing of such a field.
 */
export function heldKeptFields(name: Collection, entry: Y.Map<unknown>): KeptFields {
  const held: Record<string, KeptValue> = {}
  const documentId = rawValue(entry, 'documentId')
  for (const field of keptFields(name, isKeptValue(documentId) ? { documentId } : {})) {
    const value = rawValue(entry, field)
    if (isKeptValue(value)) held[field] = value
  }
  return held
}

export function isKeptValue(value: unknown): value is KeptValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
}

function rawValue(map: Y.Map<unknown>, key: string): unknown {
  const item = map._map.get(key)
  if (!item || item.content instanceof Y.ContentDeleted) return undefined
  const content = item.content.getContent()
  return content[content.length - 1]
}

/** The value under a key that stood before `transaction`: `item`, or the one before it, past what the transaction created. */
export function stoodBefore(transaction: Y.Transaction, item: Y.Item | null): Y.Item | null {
  let stood = item
  while (stood && stood.id.clock >= (transaction.beforeState.get(stood.id.client) ?? 0)) stood = stood.left
  return stood
}
