/**
 * How each field of the board model comes to hold its value: typed by a
 * person (as prose, which reads well as a word diff, or as a line such as a
 * URL), or picked, counted or set by the board. The one list of the fields a
 * person types in, with the label each is shown and named by: the notice of
 * edits the server refused lists these (client/src/board/unsaved-texts.ts),
 * the inspectors and the plain fields' notices (client/src/board/plain-field-table.ts)
 * name them so, and diffs give the prose a word diff (board-diff.ts). Every
 * field of every entity is named, so a field added to the model fails type
 * checking until it is put here.
 */
import type { Collection } from './board-doc.ts'
import type { BoardModel } from './board-model.ts'

/** A typed field: how it reads, and its label ("Analyst’s note"); false for a field the board sets. */
type Typing = { readonly typing: 'prose' | 'line'; readonly label: string } | false

type EveryField<E> = { readonly [K in keyof Required<E>]: Typing }

const prose = (label: string): Typing => ({ typing: 'prose', label })
const line = (label: string): Typing => ({ typing: 'line', label })

/** The board's own fields: what the model holds outside its collections. */
export type MetaField = keyof Omit<BoardModel, Collection | 'id' | 'acknowledgements'>

const TYPING = {
  meta: {
    title: prose('Title'), marking: line('Marking'), question: prose('Key question'), bluf: prose('Bottom line up front'),
    profile: false, schemaVersion: false, yardstickChange: false, unrecognised: false, setAsideLinks: false,
  },
  sources: { id: false, name: prose('Name'), kind: line('Kind'), reliability: false, url: line('URL'), note: prose('Note'), position: false, createdAt: false },
  documents: { id: false, title: prose('Title'), importedAt: false, importedBy: false },
  claims: {
    id: false, text: prose('Claim'), sourceId: false, credibility: false, status: false, documentId: false, paragraph: false, start: false, end: false,
    note: prose('Analyst’s note'), relevance: false, createdAt: false, createdBy: false,
  },
  assessments: {
    id: false, title: prose('Title'), judgment: prose('Judgment'), kind: false, likelihood: false, likelihoodYardstick: false, confidence: false, impact: false,
    status: false, tags: false, order: false, createdAt: false, createdBy: false,
  },
  links: { id: false, assessmentId: false, claimId: false, rating: false, note: prose('Note'), createdAt: false },
} as const satisfies { readonly meta: EveryField<Pick<BoardModel, MetaField>> } & { readonly [C in Collection]: EveryField<BoardModel[C][number]> }

/** Whether a person types `field` of the board (`meta`) or of an entity of `where`. */
export function isTypedField(where: Collection | 'meta', field: string): boolean {
  return typingOf(where, field) !== false
}

/** The fields of the board (`meta`) or of an entity of `where` that a person types. */
export type TypedField<W extends Collection | 'meta'> = { [K in keyof (typeof TYPING)[W]]: (typeof TYPING)[W][K] extends false ? never : K }[keyof (typeof TYPING)[W]] & string

/** The label a typed field is shown and named by, the one every inspector and notice uses. */
export function fieldLabel<W extends Collection | 'meta'>(where: W, field: TypedField<W>): string {
  const typing = typingOf(where, field)
  if (typing === false) throw new Error(`${where}.${field} is not a typed field`)
  return typing.label
}

function typingOf(where: Collection | 'meta', field: string): Typing {
  const typing: Readonly<Record<string, Typing>> = TYPING[where]
  return Object.hasOwn(typing, field) ? typing[field]! : false
}

/** Field names that hold prose somewhere in the model: a change of one gets a word diff. */
export const PROSE_FIELDS: ReadonlySet<string> = new Set(
  Object.values(TYPING).flatMap((fields: Readonly<Record<string, Typing>>) => Object.keys(fields).filter((field) => fields[field] !== false && fields[field]!.typing === 'prose')),
)
