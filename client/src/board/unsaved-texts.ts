/**
 * What this browser holds that the board's stored state does not, as the
 * texts a person wrote: shown to them, to copy, when the server will never
 * take them (their role changed to reviewer, or the board was archived,
 * while they were still typing), before the page goes back to the stored board.
 */
import { isProseField, type BoardDiff } from '../../../shared/board-diff.ts'

/** One text not saved: where it was written ("judgment of “H1”") and the text itself. */
export type UnsavedText = { where: string; text: string }

type Named = { id: string; title?: string; name?: string; text?: string }

/** The prose fields the diff from the stored board to this browser's changes (or adds), one entry each. */
export function unsavedTexts(diff: BoardDiff): UnsavedText[] {
  const texts: UnsavedText[] = []
  const add = (field: string, owner: string, text: unknown) => {
    if (isProseField(field) && typeof text === 'string' && text.trim() !== '') texts.push({ where: `${field} of ${owner}`, text })
  }
  for (const change of diff.meta) add(change.field, 'the board', change.to)
  for (const collection of ['assessments', 'claims', 'sources', 'documents'] as const) {
    const { added, changed } = diff[collection] as { added: Named[]; changed: { to: Named; fields: { field: string; to: unknown }[] }[] }
    for (const change of changed) for (const field of change.fields) add(field.field, nameOf(change.to), field.to)
    for (const entity of added) for (const [field, value] of Object.entries(entity)) add(field, `a new item (${nameOf(entity)})`, value)
  }
  return texts
}

function nameOf(entity: Named): string {
  return quoted(entity.title ?? entity.name ?? entity.text ?? '')
}

/** An item's name as a notice quotes it: its first 60 characters, in quotation marks. */
export function quoted(name: string): string {
  return `“${name.length > 60 ? `${name.slice(0, 60)}…` : name}”`
}
