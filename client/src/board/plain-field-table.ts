/**
 * The board's plain text fields (values stored whole, not Y.Text), by
 * collection and key, with their label and shape as the inspectors edit them:
 * what lets a page merge a crossing of a field's writes (PlainFieldWrites)
 * though no inspector shows that field.
 */
import { LIMITS } from '../../../shared/limits.ts'
import type { FieldShape } from '../ui/plain-field.ts'

export type PlainCollection = 'sources' | 'claims' | 'links'

export type PlainFieldSpec = { label: string; shape: FieldShape }

const longText = (label: string, multiline = true): PlainFieldSpec => ({ label, shape: { multiline, maxlength: LIMITS.longText } })
const shortText = (label: string): PlainFieldSpec => ({ label, shape: { multiline: false, maxlength: LIMITS.shortText } })

export const PLAIN_FIELDS: Readonly<Record<PlainCollection, Readonly<Record<string, PlainFieldSpec>>>> = {
  claims: { text: longText('Claim'), note: longText('Analyst’s note') },
  sources: { name: shortText('Name'), kind: shortText('Kind'), url: shortText('URL'), note: longText('Note') },
  // The link's note is one line in the linked claims' list (LinkedClaims).
  links: { note: longText('Note', false) },
}

export const PLAIN_COLLECTIONS = Object.keys(PLAIN_FIELDS) as PlainCollection[]
