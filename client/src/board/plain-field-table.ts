/**
 * The board's plain text fields (values stored whole, not Y.Text), by
 * collection and key, with their shape as the inspectors edit them and their
 * label from the one table of typed fields (shared/typed-fields.ts): what lets
 * a page merge a crossing of a field's writes (PlainFieldWrites) though no
 * inspector shows that field.
 */
import { LIMITS } from '../../../shared/limits.ts'
import { fieldLabel, type TypedField } from '../../../shared/typed-fields.ts'
import type { FieldShape } from '../ui/plain-field.ts'

export type PlainCollection = 'sources' | 'claims' | 'links'

export type PlainFieldSpec = { label: string; shape: FieldShape }

const LONG_TEXT: FieldShape = { multiline: true, maxlength: LIMITS.longText }
const SHORT_TEXT: FieldShape = { multiline: false, maxlength: LIMITS.shortText }

const SHAPES = {
  claims: { text: LONG_TEXT, note: LONG_TEXT },
  sources: { name: SHORT_TEXT, kind: SHORT_TEXT, url: SHORT_TEXT, note: LONG_TEXT },
  // The link's note is one line in the linked claims' list (LinkedClaims).
  links: { note: { multiline: false, maxlength: LIMITS.longText } },
} as const satisfies { readonly [C in PlainCollection]: Partial<Record<TypedField<C>, FieldShape>> }

/** The plain text fields of an entity of `C`. */
export type PlainKey<C extends PlainCollection> = keyof (typeof SHAPES)[C] & string

export const PLAIN_COLLECTIONS = Object.keys(SHAPES) as PlainCollection[]

/** The plain text field `key` of an entity of `collection`, or null when `key` is none. */
export function plainFieldSpec(collection: PlainCollection, key: string): PlainFieldSpec | null {
  const shapes: Readonly<Record<string, FieldShape>> = SHAPES[collection]
  if (!Object.hasOwn(shapes, key)) return null
  return { label: fieldLabel(collection, key as TypedField<typeof collection>), shape: shapes[key]! }
}
