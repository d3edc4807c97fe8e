/**
 * What an imported claim quotes stays as imported, whoever sends the change.
 * The shared mutations refuse it (updateClaim) and the browser shows the quote
 * read-only; this is the same rule for the websocket, where a hostile client
 * can write any key of any map. Checked against the room's doc while the frame
 * is handled: an update may create claims freely, but not set, on a claim the
 * board already holds,
 * - `text` or `sourceId` when the claim was imported (it has a `documentId`),
 * - a provenance field (`documentId`, `paragraph`, `start`, `end`) at all,
 * nor delete those fields without deleting the claim with them.
 */
import * as Y from 'yjs'
import { collection } from '../../shared/board-doc.ts'
import { CLAIM_PROVENANCE_FIELDS, IMPORTED_CLAIM_FIXED_FIELDS, isImportedClaim } from '../../shared/board-mutations.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const PROVENANCE: ReadonlySet<string> = new Set(CLAIM_PROVENANCE_FIELDS)
const QUOTE: ReadonlySet<string> = new Set(IMPORTED_CLAIM_FIXED_FIELDS)

/** Why the update must not be applied to `doc`, or null when it changes no claim's fixed fields. */
export function fixedClaimFieldChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { landing: Landing }[]): string | null {
  const claims = collection(doc, 'claims')
  for (const { landing } of landings) {
    if (landing === null || landing.key === null || !(landing.parent instanceof Y.ID)) continue
    const claim = existingClaim(doc, claims, landing.parent)
    if (claim && isFixed(claim, landing.key)) return `update sets ${landing.key} of claim ${String(claim.get('id'))}`
  }
  // validateUpdate lets through only sorted, disjoint ranges: each struct is visited once, or once a range for one that spans several.
  for (const [client, ranges] of ds.clients) {
    const stored = doc.store.clients.get(client)
    if (!stored) continue
    const known = Y.getState(doc.store, client)
    for (const { clock, len } of ranges) {
      if (clock >= known) continue
      for (let index = Y.findIndexSS(stored, clock); index < stored.length; index++) {
        const item = stored[index]!
        if (item.id.clock >= clock + len) break
        if (!(item instanceof Y.Item) || item.deleted || typeof item.parentSub !== 'string') continue
        const claim = item.parent instanceof Y.Map && item.parent._item?.parent === claims ? (item.parent as Y.Map<unknown>) : null
        if (!claim || !isFixed(claim, item.parentSub)) continue
        const claimItem = claim._item!
        if (!claimItem.deleted && !Y.isDeleted(ds, claimItem.id)) return `update deletes ${item.parentSub} of claim ${String(claim.get('id'))}`
      }
    }
  }
  return null
}

function isFixed(claim: Y.Map<unknown>, field: string): boolean {
  return PROVENANCE.has(field) || (QUOTE.has(field) && isImportedClaim(claim))
}

/** The claim the board holds at `id` (the id of the item that holds its map), or null. */
function existingClaim(doc: Y.Doc, claims: Y.Map<unknown>, id: Y.ID): Y.Map<unknown> | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null
  const item = Y.getItem(doc.store, id)
  if (!(item instanceof Y.Item) || item.deleted || item.parent !== claims || !(item.content instanceof Y.ContentType)) return null
  const type = item.content.type
  return type instanceof Y.Map ? (type as Y.Map<unknown>) : null
}
