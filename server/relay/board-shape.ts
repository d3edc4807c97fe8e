/**
 * The board's layout (shared/board-doc.ts) as the websocket must keep it,
 * whatever a hostile client writes to any key of any map:
 * - `meta.schemaVersion` is the server's: every load refuses a document of a
 *   version it does not know, so one editor setting it to 99 left the board
 *   unloadable for good, for everyone, its restore included. An update may
 *   set it only to this server's version (as a restore does), and may not
 *   delete it otherwise (every page would take the board for one not made yet);
 * - an entry of a collection (`assessments`, `claims`, …) is an entity's map:
 *   a number there turned every read of the board into a server error;
 * - an assessment's title and judgment are Y.Text: a string or a map there
 *   passed as a title to some readers and none to others, and the browser's
 *   field, which binds to the text, could not open.
 */
import * as Y from 'yjs'
import { ASSESSMENT_TEXT_FIELDS, collection, COLLECTIONS, metaMap, SCHEMA_VERSION } from '../../shared/board-doc.ts'
import { heldItem, idKey, type Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const COLLECTION_NAMES: ReadonlySet<string> = new Set(COLLECTIONS)
const TEXT_FIELDS: ReadonlySet<string> = new Set(ASSESSMENT_TEXT_FIELDS)

/** Why the update would break the board's layout, or null. */
export function boardShapeChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  let setsVersion = false
  const isAssessment = assessmentMaps(doc, landings)
  for (const { item, landing } of landings) {
    if (landing === null) continue
    if (landing.parent instanceof Y.ID) {
      if (landing.key !== null && TEXT_FIELDS.has(landing.key) && isAssessment(landing.parent) && !isText(item.content)) {
        return `update sets an assessment's ${landing.key} to something that is not a shared text`
      }
      continue
    }
    if (landing.parent === 'meta' && landing.key === 'schemaVersion') {
      if (!isValue(item.content, SCHEMA_VERSION)) return `update sets the board's schema version, which is the server's`
      setsVersion = true
    } else if (COLLECTION_NAMES.has(landing.parent) && !isEntity(item.content, landing.key)) {
      return `update puts into ${landing.parent} something that is not an entry of it`
    }
  }
  const version = metaMap(doc)._map.get('schemaVersion')
  if (!setsVersion && version && !version.deleted && Y.isDeleted(ds, version.id)) return `update deletes the board's schema version`
  return null
}

/**
 * Whether the item at an id holds an assessment's map: one the update puts
 * into `assessments`, or one the board holds there.
 */
function assessmentMaps(doc: Y.Doc, landings: readonly { item: Y.Item; landing: Landing }[]): (id: Y.ID) => boolean {
  const created = new Set<string>()
  for (const { item, landing } of landings) {
    if (landing?.parent === 'assessments' && item.content instanceof Y.ContentType) created.add(idKey(item.id))
  }
  const assessments = collection(doc, 'assessments')
  return (id) => {
    if (created.has(idKey(id))) return true
    return heldItem(doc, id)?.parent === assessments
  }
}

/** A shared text, or the deleted content that a replaced one leaves. */
function isText(content: Y.Item['content']): boolean {
  return content instanceof Y.ContentDeleted || (content instanceof Y.ContentType && content.type instanceof Y.Text)
}

function isValue(content: Y.Item['content'], value: unknown): boolean {
  return content instanceof Y.ContentAny && content.arr.length === 1 && content.arr[0] === value
}

/** An entity's map under a key, or the deleted content that a removed entry leaves. */
function isEntity(content: Y.Item['content'], key: string | null): boolean {
  return key !== null && (content instanceof Y.ContentDeleted || (content instanceof Y.ContentType && content.type instanceof Y.Map))
}
