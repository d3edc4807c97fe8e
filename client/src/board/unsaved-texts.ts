/**
 * What this browser holds that the board's stored state does not, as the
 * texts a person wrote: shown to them, to copy, when the server will never
 * take them (their role changed to reviewer, or the board was archived,
 * while they were still typing), before the page goes back to the stored board.
 * Of a changed field only the words the stored value lacks are listed: the
 * saved text listed as unsaved made the notice untrue (red team 40c).
 */
import type { BoardDiff } from '../../../shared/board-diff.ts'
import { COLLECTIONS, type Collection } from '../../../shared/board-doc.ts'
import type { BoardModel } from '../../../shared/board-model.ts'
import { fieldLabel, isTypedField, type TypedField } from '../../../shared/typed-fields.ts'

/** One text not saved: where it was written ("Judgment of “H1”", by the field's label) and the text itself. */
export type UnsavedText = { where: string; text: string }

type Named = { id: string; title?: string; name?: string; text?: string; claimId?: string; assessmentId?: string }

/** Every typed field (shared/typed-fields.ts) the diff from the stored board to `local`, this browser's, changes or adds, one entry each. */
export function unsavedTexts(diff: BoardDiff, local: BoardModel): UnsavedText[] {
  const texts: UnsavedText[] = []
  const nameOf = namer(local)
  for (const change of diff.meta) if (isTypedField('meta', change.field)) add(texts, labelOf('meta', change.field), 'the board', notStored(change.from, change.to))
  for (const collection of COLLECTIONS) {
    const { added, changed } = diff[collection] as { added: Named[]; changed: { to: Named; fields: { field: string; from: unknown; to: unknown }[] }[] }
    for (const change of changed) {
      for (const field of change.fields) {
        if (isTypedField(collection, field.field)) add(texts, labelOf(collection, field.field), nameOf(change.to), notStored(field.from, field.to))
      }
    }
    for (const entity of added) {
      for (const [field, value] of Object.entries(entity)) if (isTypedField(collection, field)) add(texts, labelOf(collection, field), `a new item (${nameOf(entity)})`, value)
    }
  }
  return texts
}

/**
 * The stretch of `mine` that `stored` lacks: from the first character that differs to the last, widened to whole
 * words. A change that only deleted gives nothing (no text of the person's is lost); a value that is not text, itself.
 */
export function notStored(stored: unknown, mine: unknown): unknown {
  if (typeof stored !== 'string' || typeof mine !== 'string') return mine
  const most = Math.min(stored.length, mine.length)
  let start = 0
  while (start < most && stored[start] === mine[start]) start++
  let end = 0
  while (end < most - start && stored[stored.length - 1 - end] === mine[mine.length - 1 - end]) end++
  let to = mine.length - end
  if (to <= start) return ''
  const inWord = (at: number) => at > 0 && at < mine.length && /\S\S/.test(mine.slice(at - 1, at + 1))
  while (inWord(start)) start--
  while (inWord(to)) to++
  return mine.slice(start, to).trim()
}

function add(texts: UnsavedText[], label: string, owner: string, text: unknown): void {
  if (typeof text === 'string' && text.trim() !== '') texts.push({ where: `${label} of ${owner}`, text })
}

/** The label of a field isTypedField found typed, as the inspectors show it. */
const labelOf = (where: Collection | 'meta', field: string) => fieldLabel(where, field as TypedField<typeof where>)

/** An item as the notice names it; a link, which has no name, by its claim and its assessment. */
function namer(local: BoardModel): (entity: Named) => string {
  const claims = new Map(local.claims.map((claim) => [claim.id, claim.text]))
  const assessments = new Map(local.assessments.map((assessment) => [assessment.id, assessment.title]))
  return (entity) => {
    if (entity.claimId !== undefined && entity.assessmentId !== undefined) {
      return `the link of ${quoted(claims.get(entity.claimId) ?? '')} to ${quoted(assessments.get(entity.assessmentId) ?? '')}`
    }
    return quoted(entity.title ?? entity.name ?? entity.text ?? '')
  }
}

/** An item's name as a notice quotes it: its first 60 characters, in quotation marks. */
export function quoted(name: string): string {
  return `“${name.length > 60 ? `${name.slice(0, 60)}…` : name}”`
}
