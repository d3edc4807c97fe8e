/**
 * The board document: the one place that knows how a board is laid out in its
 * Y.Doc. Everything else reads and writes a board through the accessors here
 * and the mutations in board-mutations.ts.
 *
 * Layout: a `meta` map, and one map per collection whose values are one Y.Map
 * per entity, keyed by the entity's id. An assessment's title and judgment are
 * Y.Text so that two people can type in the same field at once. The board's
 * bottom line up front is a root Y.Text (`bluf`), and acknowledged check
 * findings a root map (`acknowledgements`) keyed by the finding's key.
 *
 * Both came after version 1 and need no migration: a root type exists in every
 * document as soon as it is asked for, empty in an older one, and two replicas
 * that first write to it at once merge into the same type (a Y.Text set into
 * the meta map would not: one of two concurrent ones would be lost). A server
 * that predates them never touches them, so it loses nothing either.
 */
import * as Y from 'yjs'
import type { ChangeOrigin } from './change-origin.ts'
import { isLikelihoodProfile, type LikelihoodProfile } from './domain.ts'

/**
 * Bump when the layout changes, a field added to an entry's schema included,
 * and add the step that brings older documents up to it to MIGRATIONS: a
 * server of an older release takes a new field for a key no schema names and
 * deletes it as it loads the board (server/relay/load-repair.ts), unless the
 * board's version tells it the board is newer than it, and it refuses it.
 */
export const SCHEMA_VERSION = 1

export const COLLECTIONS = ['sources', 'documents', 'claims', 'assessments', 'links'] as const
export type Collection = (typeof COLLECTIONS)[number]

export type EntityMap = Y.Map<unknown>

/** Why a mutation was refused; the HTTP layer maps `kind` to a status code. */
export class BoardError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'conflict',
    message: string,
    /** The error code an API client reads; the kind unless a refusal has its own (`likelihoods_restated`). */
    readonly code: string = kind,
  ) {
    super(message)
    this.name = 'BoardError'
  }
}

/** The root map of the board's settings. */
export const META_ROOT = 'meta'

/** The settings the meta map holds as strings; besides these and YARDSTICK_CHANGE_KEYS, its one other key is `schemaVersion`, a number. */
export const META_STRING_KEYS = ['title', 'marking', 'question', 'profile'] as const

/** The last confirmed change of the board's yardstick (shared/yardstick-change.ts), as strings in the meta map too: when, and from which profile. */
export const YARDSTICK_CHANGE_KEYS = { at: 'yardstickChangedAt', from: 'yardstickChangedFrom' } as const

export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META_ROOT)
}

/**
 * A collection's map, to add, delete and observe entities. Its values are what
 * the editors wrote, and a hostile or broken one could write a number or a text
 * as well as an entity: its values are typed unknown, so that they are read
 * only through `entity` and `entities`, which leave out every value that is
 * not a map.
 */
export function collection(doc: Y.Doc, name: Collection): Y.Map<unknown> {
  return doc.getMap<unknown>(name)
}

export function entity(doc: Y.Doc, name: Collection, id: string): EntityMap | undefined {
  const value = collection(doc, name).get(id)
  return value instanceof Y.Map ? value : undefined
}

/**
 * The entities of a collection, by id. A value that is not a map is no entity:
 * every reader of the board (its model, mutations, history, imports, counts)
 * takes it as absent, so one stored on a board breaks none of them.
 */
export function* entities(doc: Y.Doc, name: Collection): Generator<[string, EntityMap]> {
  for (const [id, value] of collection(doc, name)) {
    if (value instanceof Y.Map) yield [id, value]
  }
}

export function requireEntity(doc: Y.Doc, name: Collection, id: string): EntityMap {
  const found = entity(doc, name, id)
  if (!found) throw new BoardError('not-found', `No ${singular(name)} with id ${id} on this board.`)
  return found
}

export function singular(name: Collection): string {
  return name.slice(0, -1)
}

/** The root text that holds the bottom line up front. */
export const BLUF_ROOT = 'bluf'

/** The analysts' bottom line up front: shared text, co-edited like a judgment. */
export function blufText(doc: Y.Doc): Y.Text {
  return doc.getText(BLUF_ROOT)
}

/** The root map of acknowledged check findings. */
export const ACKNOWLEDGEMENTS_ROOT = 'acknowledgements'

/** Acknowledged check findings: the finding's key → `{ rule, reason, createdAt, createdBy }`, each a string. */
export function acknowledgementsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(ACKNOWLEDGEMENTS_ROOT)
}

/** Every root type of the layout: a board has no other. */
export const LAYOUT_ROOTS: readonly string[] = [META_ROOT, ...COLLECTIONS, BLUF_ROOT, ACKNOWLEDGEMENTS_ROOT]

/** An assessment's fields held as Y.Text; every other field of every entity is a plain value. */
export const ASSESSMENT_TEXT_FIELDS = ['title', 'judgment'] as const
export type AssessmentTextField = (typeof ASSESSMENT_TEXT_FIELDS)[number]

/** Whether `key` (a map item's, null for an array's) names one of an assessment's shared texts. */
export function isAssessmentTextField(key: string | null): key is AssessmentTextField {
  return (ASSESSMENT_TEXT_FIELDS as readonly (string | null)[]).includes(key)
}

/** The shared text of an assessment's title or judgment, for editors that bind to Y.Text. */
export function assessmentText(doc: Y.Doc, assessmentId: string, field: AssessmentTextField): Y.Text {
  const text = requireEntity(doc, 'assessments', assessmentId).get(field)
  if (!(text instanceof Y.Text)) throw new BoardError('invalid', `Assessment ${assessmentId} has no ${field} text.`)
  return text
}

export function readString(map: Y.Map<unknown>, key: string, fallback = ''): string {
  const value = map.get(key)
  if (value instanceof Y.Text) return value.toString()
  return typeof value === 'string' ? value : fallback
}

export function boardProfile(doc: Y.Doc): LikelihoodProfile {
  const value = metaMap(doc).get('profile')
  return isLikelihoodProfile(value) ? value : 'icd203'
}

export function isBoardInitialized(doc: Y.Doc): boolean {
  return metaMap(doc).has('schemaVersion')
}

export type BoardMetaInit = { title: string; marking?: string; question?: string; profile?: LikelihoodProfile }

/** A new board's marking unless its maker chose another. */
export const DEFAULT_MARKING = 'TLP:AMBER'

/** Gives a new, empty document its meta. Does nothing to a document that already has one. */
export function initBoardDoc(doc: Y.Doc, init: BoardMetaInit, origin?: ChangeOrigin): void {
  if (isBoardInitialized(doc)) return
  doc.transact(() => {
    const meta = metaMap(doc)
    meta.set('title', init.title)
    meta.set('marking', init.marking ?? DEFAULT_MARKING)
    meta.set('question', init.question ?? '')
    meta.set('profile', init.profile ?? 'icd203')
    meta.set('schemaVersion', SCHEMA_VERSION)
  }, origin)
}

type Migration = { to: number; migrate: (doc: Y.Doc) => void }

/** Steps from one schema version to the next, in order. Version 1 is the first layout. */
const MIGRATIONS: readonly Migration[] = []

/**
 * Brings a loaded document up to SCHEMA_VERSION. A document written by a newer
 * server is refused rather than silently misread.
 */
export function migrateBoardDoc(doc: Y.Doc, origin?: ChangeOrigin): void {
  const meta = metaMap(doc)
  const stored = meta.get('schemaVersion')
  if (stored === undefined) return
  if (typeof stored !== 'number' || stored > SCHEMA_VERSION) {
    throw new BoardError('invalid', `Board schema version ${String(stored)} is newer than this server supports (${SCHEMA_VERSION}).`)
  }
  const pending = MIGRATIONS.filter((step) => step.to > stored)
  if (pending.length === 0) return
  doc.transact(() => {
    for (const step of pending) {
      step.migrate(doc)
      meta.set('schemaVersion', step.to)
    }
  }, origin)
}
