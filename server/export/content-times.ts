/**
 * Inside a worker thread: the live board rebuilt from its latest checkpoint
 * and the log rows after it, noting when each part of its content last
 * changed (the time of the last row that touched it), so that a STIX export
 * dates each object by its content (render-stix.ts) and not by the export.
 * Keys are "collection:id" for an entity and "meta:key" for a setting; a link
 * that changes or goes also touches the assessment it belonged to, as an
 * assessment's note lists its links. What no row after the checkpoint touched
 * is dated at the checkpoint's last row: it held that content then.
 */
import * as Y from 'yjs'
import { boardToModel, readEntity } from '../../shared/board-convert.ts'
import { COLLECTIONS, META_ROOT, collection, entities, metaMap, migrateBoardDoc } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { applyStoredPart, unpacked, type StoredUpdates } from '../relay/merge-state.ts'

/** When each part of the content last changed; `before`: the time of what no row after the checkpoint touched. */
export type ContentTimes = { byKey: Record<string, string>; before: string }

/** The times of the rows after the checkpoint (one per row, in order) and of the checkpoint's last row (null without a checkpoint). */
export type RowTimes = { rows: string[]; checkpointAt: string | null }

type SharedType = Y.Transaction['changed'] extends Map<infer T, unknown> ? T : never

export function timedModel(boardId: string, log: StoredUpdates, times: RowTimes, readAt: string): { model: BoardModel; times: ContentTimes } {
  const doc = new Y.Doc()
  try {
    if (log.checkpoint) applyStoredPart(doc, log.checkpoint, 'checkpoint')
    const roots = new Map<SharedType, string>([
      ...COLLECTIONS.map((name) => [collection(doc, name) as unknown as SharedType, name] as const),
      [metaMap(doc) as unknown as SharedType, META_ROOT] as const,
    ])
    const linkOwners = new Map<string, string>()
    for (const [id] of entities(doc, 'links')) noteLinkOwner(doc, id, linkOwners)
    let touched = new Set<string>()
    const onTransaction = (transaction: Y.Transaction) => {
      for (const [type, keys] of transaction.changed) {
        const root = roots.get(type)
        if (root) for (const key of keys) if (key !== null) touched.add(`${root}:${key}`)
        const nested = root ? null : partOf(type, roots)
        if (nested) touched.add(nested)
      }
    }
    const byKey: Record<string, string> = {}
    doc.on('afterTransaction', onTransaction)
    try {
      let row = 0
      for (const update of unpacked(log.updates)) {
        touched = new Set()
        applyStoredPart(doc, update, log.rowSeqs?.[row] ?? null)
        const at = times.rows[row++] ?? readAt
        for (const key of [...touched]) {
          if (!key.startsWith('links:')) continue
          const linkId = key.slice('links:'.length)
          const before = linkOwners.get(linkId)
          if (before) touched.add(`assessments:${before}`)
          const after = noteLinkOwner(doc, linkId, linkOwners)
          if (after) touched.add(`assessments:${after}`)
        }
        for (const key of touched) byKey[key] = at
      }
    } finally {
      doc.off('afterTransaction', onTransaction)
    }
    migrateBoardDoc(doc)
    return { model: boardToModel(doc, boardId), times: { byKey, before: times.checkpointAt ?? times.rows[0] ?? readAt } }
  } finally {
    doc.destroy()
  }
}

/** The assessment a link belongs to now, kept in `owners` (dropped when the link is gone). */
function noteLinkOwner(doc: Y.Doc, linkId: string, owners: Map<string, string>): string | null {
  const link = readEntity(doc, 'links', linkId)
  if (link) owners.set(linkId, link.assessmentId)
  else owners.delete(linkId)
  return link?.assessmentId ?? null
}

/** "collection:id" or "meta:key" of the entity or setting a nested type belongs to, or null for anything else. */
function partOf(type: SharedType, roots: Map<SharedType, string>): string | null {
  let current: SharedType = type
  while (current._item) {
    const parent = current._item.parent
    if (!(parent instanceof Y.AbstractType)) return null
    const root = roots.get(parent as SharedType)
    if (root) return current._item.parentSub === null ? null : `${root}:${current._item.parentSub}`
    current = parent as SharedType
  }
  return null
}

/** A part's time: when a row last touched it, or the checkpoint's. */
export function timeOf(times: ContentTimes, key: string): string {
  return times.byKey[key] ?? times.before
}

