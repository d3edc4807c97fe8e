/** Who changed which field of which card, from the history's changes: what the comparison shows beside each field. */
import type { AssessmentChange } from '../../../shared/history-model.ts'

/** Per card, per field: the names of the people who changed it, in the order of their first change. */
export type ChangeAuthors = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>

export function authorsOfChanges(changes: readonly AssessmentChange[]): ChangeAuthors {
  const authors = new Map<string, Map<string, string[]>>()
  for (const change of changes) {
    const fields = authors.get(change.assessmentId) ?? new Map<string, string[]>()
    authors.set(change.assessmentId, fields)
    const names = fields.get(change.field) ?? []
    fields.set(change.field, names)
    if (!names.includes(change.by.name)) names.push(change.by.name)
  }
  return authors
}

/** "Ana, Ben": who changed the card's field, or undefined when the history names no one. */
export function changedBy(authors: ChangeAuthors, assessmentId: string, field: string): string | undefined {
  return authors.get(assessmentId)?.get(field)?.join(', ')
}
