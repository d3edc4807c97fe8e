/**
 * What changed between two versions of a board, as a pure function of their
 * models: the briefing's "what changed since" part and the snapshot-diff API
 * both read this. Entities are matched by id; a text field that changed also
 * carries a word-level diff, so a reader sees which words moved, not only that
 * the field did.
 *
 * A word diff costs up to the product of the two texts' lengths (two very
 * different 20,000-character judgments took a minute), so word diffs are
 * bounded: a text over `maxTextChars` gets none, and once the diffs of one
 * comparison have taken `budgetMs` the remaining texts get none either. Such a
 * change still lists the whole old and new text, and says why it has no word
 * diff (`wordsSkipped`).
 */
import { diffWords } from 'diff'
import type { Collection } from './board-doc.ts'
import type { BoardModel } from './board-model.ts'
import { PROSE_FIELDS } from './typed-fields.ts'
import { DEFAULT_WORD_DIFF_BOUNDS, type WordDiffBounds, type WordDiffSkipped } from './word-diff-bounds.ts'

/** One run of a word-level diff, in reading order. */
export type TextEdit = { change: 'kept' | 'added' | 'removed'; text: string }

/** One changed field of an entity, typed by the field it names. */
export type FieldChange<E> = {
  [K in keyof E & string]: { field: K; from: E[K]; to: E[K]; words?: TextEdit[]; wordsSkipped?: WordDiffSkipped }
}[keyof E & string]

export type EntityChange<E> = { id: string; from: E; to: E; fields: FieldChange<E>[] }

export type CollectionDiff<E> = { added: E[]; removed: E[]; changed: EntityChange<E>[] }

/**
 * The board's own settings and texts: everything in the model that is not a
 * collection, the id, or the acknowledgements of check findings (a note on the
 * analysis, not a change of it).
 */
export type BoardMeta = Omit<BoardModel, Collection | 'id' | 'acknowledgements'>

export type BoardDiff = { meta: FieldChange<BoardMeta>[] } & {
  [C in Collection]: CollectionDiff<BoardModel[C][number]>
}

/** Whether `field` holds prose (typed-fields.ts), which gets a word-level diff when it changes. */
export function isProseField(field: string): boolean {
  return PROSE_FIELDS.has(field)
}

export function diffBoards(from: BoardModel, to: BoardModel, words: WordDiffBounds | false = DEFAULT_WORD_DIFF_BOUNDS): BoardDiff {
  const texts: TextDiffer = words === false ? () => ({}) : boundedTextDiffer(words)
  return {
    meta: diffFields<BoardMeta>(metaOf(from), metaOf(to), texts),
    sources: diffCollection(from.sources, to.sources, texts),
    documents: diffCollection(from.documents, to.documents, texts),
    claims: diffCollection(from.claims, to.claims, texts),
    assessments: diffCollection(from.assessments, to.assessments, texts),
    links: diffCollection(from.links, to.links, texts),
  }
}

/** A changed text's word diff, or why it has none. */
type TextDiffer = (from: string, to: string) => { words?: TextEdit[]; wordsSkipped?: WordDiffSkipped }

/** One deadline for every text of a comparison, so a board full of long texts costs at most `budgetMs` in all. */
function boundedTextDiffer({ maxTextChars, budgetMs }: WordDiffBounds): TextDiffer {
  const deadline = performance.now() + budgetMs
  return (from, to) => {
    if (from.length > maxTextChars || to.length > maxTextChars) return { wordsSkipped: 'too-long' }
    const words = diffText(from, to, deadline - performance.now())
    return words ? { words } : { wordsSkipped: 'over-budget' }
  }
}

export function isEmptyDiff(diff: BoardDiff): boolean {
  const { meta, ...collections } = diff
  return meta.length === 0 && Object.values(collections).every((c) => c.added.length + c.removed.length + c.changed.length === 0)
}

function metaOf(board: BoardModel): BoardMeta {
  const { id: _id, sources: _s, documents: _d, claims: _c, assessments: _a, links: _l, acknowledgements: _k, yardstickChange: _y, ...meta } = board
  // An empty BLUF is left out of the model: compared as empty text, its first words read as an edit.
  return { ...meta, bluf: meta.bluf ?? '' }
}

/** Added and changed entities come in `to`'s order, removed ones in `from`'s: both models keep a stable order. */
function diffCollection<E extends { id: string }>(from: readonly E[], to: readonly E[], texts: TextDiffer): CollectionDiff<E> {
  const before = new Map(from.map((entity) => [entity.id, entity]))
  const afterIds = new Set(to.map((entity) => entity.id))
  const added: E[] = []
  const changed: EntityChange<E>[] = []
  for (const entity of to) {
    const previous = before.get(entity.id)
    if (!previous) {
      added.push(entity)
      continue
    }
    const fields = diffFields(previous, entity, texts)
    if (fields.length > 0) changed.push({ id: entity.id, from: previous, to: entity, fields })
  }
  return { added, removed: from.filter((entity) => !afterIds.has(entity.id)), changed }
}

function diffFields<E extends object>(from: E, to: E, texts: TextDiffer): FieldChange<E>[] {
  const fields = new Set([...Object.keys(to), ...Object.keys(from)] as (keyof E & string)[])
  const changes: FieldChange<E>[] = []
  for (const field of fields) {
    const was = from[field]
    const now = to[field]
    if (sameValue(was, now)) continue
    const change: FieldChange<E> = { field, from: was, to: now }
    if (PROSE_FIELDS.has(field) && typeof was === 'string' && typeof now === 'string') Object.assign(change, texts(was, now))
    changes.push(change)
  }
  return changes
}

/** Model values are primitives or arrays of them (tags), so comparing their JSON is exact. */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

/** The word diff of two texts; undefined when it would take longer than `timeoutMs` (Infinity: no limit). */
export function diffText(from: string, to: string, timeoutMs = Infinity): TextEdit[] | undefined {
  if (timeoutMs <= 0) return undefined
  const parts = Number.isFinite(timeoutMs) ? diffWords(from, to, { timeout: timeoutMs }) : diffWords(from, to)
  return parts?.map((part) => ({
    change: part.added ? 'added' : part.removed ? 'removed' : 'kept',
    text: part.value,
  }))
}
