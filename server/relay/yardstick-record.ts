/**
 * The yardstick recorded with a likelihood (`likelihoodYardstick`,
 * shared/stated-likelihood.ts) says under which words its band was stated,
 * and every reader shows the band in those words. The app writes it only with
 * the band, in one transaction (stateLikelihood, addAssessment), so it is the
 * writer's own statement. Set alone it restated someone else's band: an
 * editor's own client setting "phia" on a card stated under ICD 203 had every
 * export say the author stated it under PHIA, in words nobody chose; deleting
 * it alone read a band stated under ICD 203 as the PHIA board's own. So the
 * relay refuses an update that sets or deletes an assessment's record without
 * setting that card's likelihood in the same update (a card deleted whole
 * takes its record with it).
 *
 * The record may be either yardstick, not only the board's: a band set on a
 * page that had not yet seen a change of yardstick (offline, or crossing the
 * change in flight) lands after it with the yardstick its author saw, and is
 * shown flagged until restated (test/relay-yardstick-offline.test.ts). Holding
 * it to the board's yardstick would refuse that page's whole update, every
 * offline edit in it with the band; and what a record other than the board's
 * can say is only the writer's own band, flagged as needing restatement.
 *
 * A band set without a record (pages loaded before records were kept) stays
 * accepted where it reads as it did on that page, under the board's
 * yardstick: on a card with no record or the board's. On a card whose record
 * is another yardstick it would be read in that yardstick's words, which its
 * writer's page never showed: refused, and that page, once reloaded, writes
 * both.
 */
import * as Y from 'yjs'
import { boardProfile, collection } from '../../shared/board-doc.ts'
import { profileName, yardstickOf } from '../../shared/domain.ts'
import { entryCollections } from './board-shape.ts'
import type { HeldDeletion } from './held-deletions.ts'
import { standingValue } from './field-values.ts'
import { isHeldWhole } from './held-already.ts'
import { heldItem, idKey, type Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const BAND = 'likelihood'
const RECORD = 'likelihoodYardstick'

/** A card's band and its record, which stands only with it: a repair that deletes the band deletes the record too (load-repair.ts). */
export const RECORDED_BAND = { band: BAND, record: RECORD } as const

/** Why the update sets or deletes a likelihood's recorded yardstick apart from its band, or sets a band a stale record would misread; or null. */
export function yardstickRecordChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[], deletions: readonly HeldDeletion[]): string | null {
  const collectionOf = entryCollections(doc, landings)
  /** Cards whose likelihood the update sets, by the id of the card's item: whether to a band, and whether their record with it. */
  const bandSet = new Map<string, { card: Y.ID; band: boolean; recorded: boolean }>()
  const recordSet: Y.ID[] = []
  for (const { item, landing } of landings) {
    if (landing === null || !(landing.parent instanceof Y.ID) || (landing.key !== BAND && landing.key !== RECORD) || isHeldWhole(doc, item)) continue
    if (collectionOf(landing.parent) !== 'assessments') continue
    // A value the update deletes itself never stands: neither sets anything.
    const standing = standingValue(ds, item)
    if (standing === null) continue
    if (landing.key === RECORD) recordSet.push(landing.parent)
    else bandSet.set(idKey(landing.parent), { card: landing.parent, band: standing.value !== null, recorded: false })
  }
  for (const card of recordSet) {
    const set = bandSet.get(idKey(card))
    if (set === undefined) return `update sets ${RECORD} of assessment ${cardName(doc, card)} without its likelihood: the yardstick is recorded only with the band stated under it`
    set.recorded = true
  }
  const board = boardProfile(doc)
  for (const { card, band, recorded } of bandSet.values()) {
    const record = band && !recorded ? standingRecord(doc, ds, card) : undefined
    if (record !== undefined && record !== yardstickOf(board)) {
      return (
        `update sets the likelihood of assessment ${cardName(doc, card)} without the yardstick it is stated under, and the card records ${String(record)}: ` +
        `the band would read in words other than ${profileName(board)}'s, which its page showed; reload the page`
      )
    }
  }
  return deletedRecord(doc, ds, deletions, bandSet)
}

/** The record a held card keeps through the update (undefined where it has none or the update deletes it). */
function standingRecord(doc: Y.Doc, ds: DecodedUpdate['ds'], card: Y.ID): unknown {
  const map = heldMap(doc, card)
  const item = map?._map.get(RECORD)
  if (item === undefined || item.deleted || Y.isDeleted(ds, Y.createID(item.id.client, item.id.clock + item.length - 1))) return undefined
  return map!.get(RECORD)
}

/**
 * Why the update deletes the record of a card it keeps without setting its
 * likelihood, or null.
 */
function deletedRecord(doc: Y.Doc, ds: DecodedUpdate['ds'], deletions: readonly HeldDeletion[], bandSet: ReadonlyMap<string, unknown>): string | null {
  let assessments: Y.Map<unknown> | undefined
  for (const { item } of deletions) {
    if (item.parentSub !== RECORD || !(item.parent instanceof Y.Map)) continue
    const cardItem = (item.parent as Y.Map<unknown>)._item
    if (!cardItem || cardItem.parent !== (assessments ??= collection(doc, 'assessments'))) continue
    if (cardItem.deleted || Y.isDeleted(ds, cardItem.id) || bandSet.has(idKey(cardItem.id))) continue
    return `update deletes ${RECORD} of assessment ${cardName(doc, cardItem.id)} without its likelihood: the band would read as stated under the board's yardstick`
  }
  return null
}

/** The live map the board holds at `id`, or null (a card the update creates). */
function heldMap(doc: Y.Doc, id: Y.ID): Y.Map<unknown> | null {
  const item = heldItem(doc, id)
  if (item === null || item.deleted || !(item.content instanceof Y.ContentType)) return null
  const type = item.content.type
  return type instanceof Y.Map ? (type as Y.Map<unknown>) : null
}

/** A card as a refusal names it: its id, or where the update creates it. */
function cardName(doc: Y.Doc, id: Y.ID): string {
  const cardId = heldMap(doc, id)?.get('id')
  return typeof cardId === 'string' ? cardId : `created at ${idKey(id)}`
}
