/**
 * What a comparison shows on the board: both versions at once. The opened
 * snapshot's own content, as the values of its cards (the review judges
 * them, so no value of the other version may stand in their place), with
 * what only the other version holds kept in place (to be shown as added or
 * removed), and each card's change read from the diff (the other version's
 * values are shown there, as a change).
 */
import type { BoardDiff, CollectionDiff } from '../../../shared/board-diff.ts'
import type { BoardModel } from '../../../shared/board-model.ts'

/** How a card differs between the two versions compared. */
export type CardChange = { change: 'added' | 'removed' | 'changed'; fields: string[] }

/** The field name a card's changed links are reported under: its evidence changed, not the card. */
export const LINKS_FIELD = 'links'

/**
 * The union of both versions, keeping `base`'s side of everything changed.
 * `base` is either side of `diff`: what only the other side holds (added or
 * removed) is added to it.
 */
export function unionOf(base: BoardModel, diff: BoardDiff): BoardModel {
  return {
    ...base,
    sources: merged(base.sources, diff.sources),
    documents: merged(base.documents, diff.documents),
    claims: merged(base.claims, diff.claims),
    assessments: merged(base.assessments, diff.assessments),
    links: merged(base.links, diff.links),
  }
}

function merged<E extends { id: string }>(base: readonly E[], diff: CollectionDiff<E>): E[] {
  const byId = new Map(base.map((entity) => [entity.id, entity]))
  for (const entity of [...diff.removed, ...diff.added]) if (!byId.has(entity.id)) byId.set(entity.id, entity)
  return [...byId.values()]
}

/** Each card that differs: added, removed, or changed (its own fields, or which claims it is linked to). */
export function cardChanges(diff: BoardDiff): Map<string, CardChange> {
  const changes = new Map<string, CardChange>()
  for (const assessment of diff.assessments.added) changes.set(assessment.id, { change: 'added', fields: [] })
  for (const assessment of diff.assessments.removed) changes.set(assessment.id, { change: 'removed', fields: [] })
  for (const change of diff.assessments.changed) changes.set(change.id, { change: 'changed', fields: change.fields.map((f) => f.field) })
  const { added, removed, changed } = diff.links
  const relinked = [...added, ...removed, ...changed.map((change) => change.to)].map((link) => link.assessmentId)
  for (const id of relinked) {
    const current = changes.get(id)
    if (!current) changes.set(id, { change: 'changed', fields: [LINKS_FIELD] })
    else if (current.change === 'changed' && !current.fields.includes(LINKS_FIELD)) current.fields.push(LINKS_FIELD)
  }
  return changes
}

export function changeCounts(diff: BoardDiff): { added: number; removed: number; changed: number } {
  const { meta, ...collections } = diff
  let added = 0
  let removed = 0
  let changed = meta.length
  for (const collection of Object.values(collections)) {
    added += collection.added.length
    removed += collection.removed.length
    changed += collection.changed.length
  }
  return { added, removed, changed }
}
