/**
 * What an imported claim quotes stays as imported, whoever sends the change.
 * The shared mutations refuse it (updateClaim) and the browser shows the quote
 * read-only; this is the same rule for the websocket, where a hostile client
 * can write any key of any map. Checked against the room's doc while the frame
 * is handled: an update may create entries freely, but not set, on an entry
 * the board already holds,
 * - a claim's `text` or `sourceId` when the claim was imported (it names a
 *   document the board holds and quotes it: isImportedClaim),
 * - a claim's provenance field (`documentId`, `paragraph`, `start`, `end`) at all,
 * - a document's `text` or `hash`: its claims quote that text, and a claim
 *   that no longer quotes it reads as a claim by hand (claim-quote.ts), so an
 *   editor rewriting a document took the provenance off every claim imported
 *   from it,
 * nor delete those fields without deleting the entry with them.
 */
import * as Y from 'yjs'
import { collection } from '../../shared/board-doc.ts'
import { CLAIM_PROVENANCE_FIELDS, DOCUMENT_FIXED_FIELDS, IMPORTED_CLAIM_FIXED_FIELDS, isImportedClaim } from '../../shared/board-mutations.ts'
import type { HeldDeletion } from './held-deletions.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const PROVENANCE: ReadonlySet<string> = new Set(CLAIM_PROVENANCE_FIELDS)
const QUOTE: ReadonlySet<string> = new Set(IMPORTED_CLAIM_FIXED_FIELDS)
const DOCUMENT_FIXED: ReadonlySet<string> = new Set(DOCUMENT_FIXED_FIELDS)

/** An entry the board holds whose fields can be fixed, and what it is. */
type FixedHolder = { kind: 'claim' | 'document'; entry: Y.Map<unknown> }

/** Why the update must not be applied to `doc`, or null when it changes no claim's or document's fixed fields. */
export function fixedFieldChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { landing: Landing }[], deletions: readonly HeldDeletion[]): string | null {
  // Resolved at the first entry looked at: a keystroke sets no key of an entry and deletes nothing, and looks at none.
  let roots: { claims: Y.Map<unknown>; documents: Y.Map<unknown> } | undefined
  const holderOf = (map: Y.Map<unknown>): FixedHolder | null => {
    const parent = map._item?.parent
    const { claims, documents } = (roots ??= { claims: collection(doc, 'claims'), documents: collection(doc, 'documents') })
    return parent === claims ? { kind: 'claim', entry: map } : parent === documents ? { kind: 'document', entry: map } : null
  }
  for (const { landing } of landings) {
    if (landing === null || landing.key === null || !(landing.parent instanceof Y.ID)) continue
    const map = heldMap(doc, landing.parent)
    const holder = map && holderOf(map)
    if (holder && isFixed(holder, landing.key)) return `update sets ${landing.key} of ${holder.kind} ${String(holder.entry.get('id'))}`
  }
  for (const { item } of deletions) {
    if (typeof item.parentSub !== 'string' || !(item.parent instanceof Y.Map)) continue
    const holder = holderOf(item.parent as Y.Map<unknown>)
    if (!holder || !isFixed(holder, item.parentSub)) continue
    const entryItem = holder.entry._item!
    if (!entryItem.deleted && !Y.isDeleted(ds, entryItem.id)) return `update deletes ${item.parentSub} of ${holder.kind} ${String(holder.entry.get('id'))}`
  }
  return null
}

function isFixed({ kind, entry }: FixedHolder, field: string): boolean {
  if (kind === 'document') return DOCUMENT_FIXED.has(field)
  return PROVENANCE.has(field) || (QUOTE.has(field) && isImportedClaim(entry))
}

/** The live map the board holds at `id` (the id of the item that holds it), or null. */
function heldMap(doc: Y.Doc, id: Y.ID): Y.Map<unknown> | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null
  const item = Y.getItem(doc.store, id)
  if (!(item instanceof Y.Item) || item.deleted || !(item.content instanceof Y.ContentType)) return null
  const type = item.content.type
  return type instanceof Y.Map ? (type as Y.Map<unknown>) : null
}
