/**
 * How each field of the board model comes to hold its value: typed by a
 * person (as prose, which reads well as a word diff, or as a line such as a
 * URL), or picked, counted or set by the board. The one list of the fields a
 * person types in: the notice of edits the server refused lists these
 * (client/src/board/unsaved-texts.ts), and diffs give the prose a word diff
 * (board-diff.ts). Every field of every entity is named, so a field added to
 * the model fails type checking until it is put here.
 */
import type { Collection } from './board-doc.ts'
import type { BoardModel } from './board-model.ts'

type Typing = 'prose' | 'line' | false

type EveryField<E> = { readonly [K in keyof Required<E>]: Typing }

/** The board's own fields: what the model holds outside its collections. */
export type MetaField = keyof Omit<BoardModel, Collection | 'id' | 'acknowledgements'>

const TYPING: { readonly meta: EveryField<Pick<BoardModel, MetaField>> } & { readonly [C in Collection]: EveryField<BoardModel[C][number]> } = {
  meta: { title: 'prose', marking: 'line', question: 'prose', bluf: 'prose', profile: false, schemaVersion: false, yardstickChange: false, unrecognised: false, setAsideLinks: false },
  sources: { id: false, name: 'prose', kind: 'line', reliability: false, url: 'line', note: 'prose', position: false, createdAt: false },
  documents: { id: false, title: 'prose', importedAt: false, importedBy: false },
  claims: {
    id: false, text: 'prose', sourceId: false, credibility: false, status: false, documentId: false, paragraph: false, start: false, end: false,
    note: 'prose', relevance: false, createdAt: false, createdBy: false,
  },
  assessments: {
    id: false, title: 'prose', judgment: 'prose', kind: false, likelihood: false, likelihoodYardstick: false, confidence: false, impact: false,
    status: false, tags: false, order: false, createdAt: false, createdBy: false,
  },
  links: { id: false, assessmentId: false, claimId: false, rating: false, note: 'prose', createdAt: false },
}

/** Whether a person types `field` of the board (`meta`) or of an entity of `where`. */
export function isTypedField(where: Collection | 'meta', field: string): boolean {
  const typing: Readonly<Record<string, Typing>> = TYPING[where]
  return Object.hasOwn(typing, field) && typing[field] !== false
}

/** Field names that hold prose somewhere in the model: a change of one gets a word diff. */
export const PROSE_FIELDS: ReadonlySet<string> = new Set(
  Object.values(TYPING).flatMap((fields: Readonly<Record<string, Typing>>) => Object.keys(fields).filter((field) => fields[field] === 'prose')),
)
