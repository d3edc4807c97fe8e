/**
 * Every change to a board, as functions of its Y.Doc. The client, HTTP edits,
 * import, restore and seeding all call these, so the rules (validation,
 * cascades, ordering) hold whoever makes the change. Each mutation is one
 * transaction: others see it whole, and one undo step takes it back.
 */
import * as Y from 'yjs'
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing'
import { quoteMismatch, quotesHeldDocument } from './claim-quote.ts'
import { replaceText } from './replace-text.ts'
import { compareOrder } from './stored-card-order.ts'
import {
  acknowledgementsMap,
  ASSESSMENT_TEXT_FIELDS,
  BoardError,
  blufText,
  collection,
  entities,
  entity,
  boardProfile,
  metaMap,
  readString,
  requireEntity,
  YARDSTICK_CHANGE_KEYS,
  type Collection,
  type EntityMap,
} from './board-doc.ts'
import {
  acknowledgementInputSchema,
  assessmentInputSchema,
  type AssessmentModel,
  type LinkModel,
  assessmentPatchSchema,
  claimInputSchema,
  claimPatchSchema,
  linkInputSchema,
  linkPatchSchema,
  metaPatchSchema,
  sourceInputSchema,
  sourcePatchSchema,
  type AcknowledgementInput,
  type AssessmentInput,
  type AssessmentPatch,
  type ClaimInput,
  type ClaimPatch,
  type LinkInput,
  type LinkPatch,
  type MetaPatch,
  type SourceInput,
  type SourcePatch,
} from './board-model.ts'
import type { ChangeOrigin } from './change-origin.ts'
import { yardstickOf, type LikelihoodBand, type LikelihoodProfile } from './domain.ts'
import type { YardstickChange } from './yardstick-change.ts'
import { parseInput } from './validation.ts'
import { linksOfPair } from './board-convert.ts'

/**
 * Who makes a change, and the transaction origin (the client's undo manager tracks its own).
 * `now` and `newId` default to the clock and random UUIDs; a seeded test gives its own to replay a run exactly.
 */
export type MutationContext = {
  by?: string
  origin?: ChangeOrigin
  now?: Date
  newId?: () => string
  /** The board's cards in order, kept by a batch across its operations (one per run of them, in one transaction). */
  cardOrder?: CardOrder
}

export const nowIso = (ctx: MutationContext) => (ctx.now ?? new Date()).toISOString()

const NO_TEXT_FIELDS: ReadonlySet<string> = new Set()
const ASSESSMENT_TEXTS: ReadonlySet<string> = new Set(ASSESSMENT_TEXT_FIELDS)

function newEntity(doc: Y.Doc, ctx: MutationContext, name: Collection, fields: Record<string, unknown>): string {
  const id = ctx.newId ? ctx.newId() : crypto.randomUUID()
  const map = new Y.Map<unknown>()
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) map.set(key, value)
  map.set('id', id)
  collection(doc, name).set(id, map)
  return id
}

/**
 * Sets the given fields; `undefined` removes an optional field. Texts are
 * replaced in place; a field of `textFields` stored as another value (before
 * the relay refused that) is given a shared text again, which loses nothing:
 * a patch replaces the whole value, as a set of the plain value would.
 */
function patchEntity(map: EntityMap, patch: Record<string, unknown>, textFields: ReadonlySet<string> = NO_TEXT_FIELDS): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = map.get(key)
    if (current instanceof Y.Text) {
      replaceText(current, String(value ?? ''))
    } else if (textFields.has(key) && value !== undefined) {
      map.set(key, new Y.Text(String(value)))
    } else if (value === undefined) {
      map.delete(key)
    } else if (JSON.stringify(current) !== JSON.stringify(value)) {
      map.set(key, value)
    }
  }
}

function transact<T>(doc: Y.Doc, ctx: MutationContext, change: () => T): T {
  let result!: T
  doc.transact(() => {
    result = change()
  }, ctx.origin)
  return result
}

/** `yardstickChange`, given when the change restates the likelihoods (shared/board-settings-change.ts), is kept with it for the briefing's note. */
export function updateMeta(doc: Y.Doc, patch: MetaPatch, ctx: MutationContext = {}, yardstickChange?: YardstickChange): void {
  const { bluf, ...valid } = parseInput(metaPatchSchema, patch, 'board settings')
  transact(doc, ctx, () => {
    patchEntity(metaMap(doc), valid)
    if (bluf !== undefined) replaceText(blufText(doc), bluf)
    if (yardstickChange) {
      metaMap(doc).set(YARDSTICK_CHANGE_KEYS.at, yardstickChange.at)
      metaMap(doc).set(YARDSTICK_CHANGE_KEYS.from, yardstickChange.from)
    }
  })
}

/* Acknowledgements of check findings */

/**
 * An editor's acknowledgement of a finding, with the reason it stands. Keyed by
 * the finding, so two people acknowledging one finding at once leave one
 * acknowledgement (the later), and acknowledging again replaces the reason.
 */
export function acknowledgeFinding(doc: Y.Doc, input: AcknowledgementInput, ctx: MutationContext = {}): void {
  const { key, rule, reason } = parseInput(acknowledgementInputSchema, input, 'acknowledgement')
  if (!key.startsWith(`${rule}:`)) throw new BoardError('invalid', `Invalid acknowledgement: key ${key} is not a finding of rule ${rule}.`)
  transact(doc, ctx, () => {
    acknowledgementsMap(doc).set(key, { rule, reason, createdAt: nowIso(ctx), ...(ctx.by ? { createdBy: ctx.by } : {}) })
  })
}

export function withdrawAcknowledgement(doc: Y.Doc, key: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    const acknowledgements = acknowledgementsMap(doc)
    if (!acknowledgements.has(key)) throw new BoardError('not-found', `No acknowledgement of finding ${key} on this board.`)
    acknowledgements.delete(key)
  })
}

/* Sources */

/** `position` is given by an import only: where the document first cites the source (entity-order.ts). */
export function addSource(doc: Y.Doc, input: SourceInput, ctx: MutationContext = {}, position?: number): string {
  const valid = parseInput(sourceInputSchema, input, 'source')
  return transact(doc, ctx, () => newEntity(doc, ctx, 'sources', { ...valid, position, createdAt: nowIso(ctx) }))
}

export function updateSource(doc: Y.Doc, id: string, patch: SourcePatch, ctx: MutationContext = {}): void {
  const valid = parseInput(sourcePatchSchema, patch, 'source')
  transact(doc, ctx, () => patchEntity(requireEntity(doc, 'sources', id), valid))
}

/** Deletes a source with the claims taken from it and their links: the board never holds a dangling id. */
export function deleteSource(doc: Y.Doc, id: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    requireEntity(doc, 'sources', id)
    for (const claimId of idsWhere(doc, 'claims', 'sourceId', id)) removeClaim(doc, claimId)
    collection(doc, 'sources').delete(id)
  })
}

/** The source whose name matches `name` ignoring case and spacing, if any. */
export function findSourceByName(doc: Y.Doc, name: string): string | undefined {
  return sourcesByNameKey(doc).get(sourceNameKey(name))
}

/**
 * Each source's id by its name's `sourceNameKey`, the first the sources' map
 * yields where several match: made once for a whole import, as looking through
 * every source for each name a document cites cost their product (13.7 s for
 * 10,000 names on a board of 10,000 sources).
 */
export function sourcesByNameKey(doc: Y.Doc): Map<string, string> {
  const byKey = new Map<string, string>()
  for (const [id, source] of entities(doc, 'sources')) {
    const key = sourceNameKey(readString(source, 'name'))
    if (!byKey.has(key)) byKey.set(key, id)
  }
  return byKey
}

export function sourceNameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()
}

/* Documents */

export type DocumentInput = { title: string; text: string; hash?: string }

export function addDocument(doc: Y.Doc, input: DocumentInput, ctx: MutationContext = {}): string {
  return transact(doc, ctx, () =>
    newEntity(doc, ctx, 'documents', { ...input, importedAt: nowIso(ctx), importedBy: ctx.by }),
  )
}

/** Deletes an imported document with the claims it gave and their links. */
export function deleteDocument(doc: Y.Doc, id: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    requireEntity(doc, 'documents', id)
    for (const claimId of idsWhere(doc, 'claims', 'documentId', id)) removeClaim(doc, claimId)
    collection(doc, 'documents').delete(id)
  })
}

/* Claims */

export function addClaim(doc: Y.Doc, input: ClaimInput, ctx: MutationContext = {}): string {
  const valid = parseInput(claimInputSchema, input, 'claim')
  return transact(doc, ctx, () => {
    requireEntity(doc, 'sources', valid.sourceId)
    if (valid.documentId !== undefined) requireQuote(doc, valid.documentId, valid)
    return newEntity(doc, ctx, 'claims', { ...valid, createdAt: nowIso(ctx), createdBy: ctx.by })
  })
}

/** A claim that names a document must quote it (claim-quote.ts). */
function requireQuote(doc: Y.Doc, documentId: string, claim: { text: string; paragraph?: number; start?: number; end?: number }): void {
  const mismatch = quoteMismatch(readString(requireEntity(doc, 'documents', documentId), 'text'), claim)
  if (mismatch !== null) throw new BoardError('invalid', mismatch)
}

/**
 * An imported claim quotes its document: its words and whom they are
 * attributed to stay as imported. What an analyst makes of it goes in `note`.
 */
export function updateClaim(doc: Y.Doc, id: string, patch: ClaimPatch, ctx: MutationContext = {}): void {
  const valid = parseInput(claimPatchSchema, patch, 'claim')
  transact(doc, ctx, () => {
    const claim = requireEntity(doc, 'claims', id)
    if (isImportedClaim(claim)) {
      for (const field of IMPORTED_CLAIM_FIXED_FIELDS) {
        if (field in valid && valid[field] !== claim.get(field)) {
          throw new BoardError('conflict', `This claim was imported from a document: its ${field === 'text' ? 'quoted text' : 'source'} cannot change. Write your paraphrase in its note.`)
        }
      }
    }
    if (valid.sourceId !== undefined) requireEntity(doc, 'sources', valid.sourceId)
    patchEntity(claim, valid)
  })
}

/** The fields of an imported claim that quote its document (the relay refuses changes to them too). */
export const IMPORTED_CLAIM_FIXED_FIELDS = ['text', 'sourceId'] as const

/** The fields of a document its claims quote, and by which a later import of it is known: fixed once imported (no mutation changes them; the relay refuses it). */
export const DOCUMENT_FIXED_FIELDS = ['text', 'hash'] as const

/** The provenance fields that say where in an imported document a claim was quoted from. */
export const CLAIM_PROVENANCE_FIELDS = ['documentId', 'paragraph', 'start', 'end'] as const

/** A claim quoted from an imported document, as opposed to one added by hand: it names a document the board holds and quotes it (claim-quote.ts). */
export function isImportedClaim(claim: EntityMap): boolean {
  return quotesHeldDocument(claim)
}

export function deleteClaim(doc: Y.Doc, id: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    requireEntity(doc, 'claims', id)
    removeClaim(doc, id)
  })
}

function removeClaim(doc: Y.Doc, id: string): void {
  for (const linkId of idsWhere(doc, 'links', 'claimId', id)) collection(doc, 'links').delete(linkId)
  collection(doc, 'claims').delete(id)
}

/* Assessments */

/** Assessments in board order: by fractional order key, ties (concurrent inserts) by id. */
export function orderedAssessments(doc: Y.Doc): EntityMap[] {
  return Array.from(entities(doc, 'assessments'), ([, card]) => card).sort(compareOrder)
}

/**
 * The cards of a board in board order, sorted once and then kept in order as
 * cards are placed and deleted, so that a batch places each card in a binary
 * search instead of a sort of every card: 1,000 moves of one card on a board
 * of 1,000 sorted it 1,000 times and held the relay's thread 2.7 s. Within a
 * batch's transaction only its own mutations change the board, and each tells
 * the order what it changed. A single mutation sorts once, as it always did.
 */
export class CardOrder {
  #cards: EntityMap[] | undefined
  /** The cards by their `id` field: a hostile client may have written another card's id there. */
  readonly #byId = new Map<string, EntityMap[]>()
  /** Cards that may lack a valid order key: all of them until the first placement, then only those it set aside. */
  #unkeyed: EntityMap[] | undefined
  /** The cards set aside while one is moved (those whose `id` field is its id). */
  #aside: EntityMap[] = []

  constructor(private readonly doc: Y.Doc) {}

  /**
   * An order key that puts a card right after `afterId` (first when null,
   * last when undefined); `movingId` is the card being moved, left out. Two
   * concurrent inserts at one place leave two cards with the same key; placing
   * a card right after the first of them re-keys the cards tied with it, so the
   * new card lands exactly where it was asked to. Tell the order where the card
   * went with `added` or `moved`.
   */
  keyAfter(afterId: string | null | undefined, movingId?: string): string {
    const cards = this.#sorted()
    this.#aside = movingId === undefined ? [] : (this.#byId.get(movingId) ?? []).slice()
    for (const card of this.#aside) cards.splice(this.#indexOf(card), 1)
    // Once every card placed among has a valid key, none can lose it within the transaction: check again only then.
    if (this.#unkeyed === undefined || this.#unkeyed.some((card) => !this.#aside.includes(card) && !isOrderKey(orderOf(card)))) {
      withOrderKeys(cards)
      this.#unkeyed = this.#aside.filter((card) => !isOrderKey(orderOf(card)))
    }
    if (afterId === undefined) return generateKeyBetween(cards.length > 0 ? orderOf(cards.at(-1)!) : null, null)
    if (afterId === null) return generateKeyBetween(null, cards.length > 0 ? orderOf(cards[0]!) : null)
    const index = this.#firstWithId(afterId)
    if (index < 0) throw new BoardError('not-found', `No assessment with id ${afterId} to place after.`)
    const anchor = orderOf(cards[index]!)
    let tiedEnd = index + 1
    while (tiedEnd < cards.length && orderOf(cards[tiedEnd]!) === anchor) tiedEnd++
    const next = tiedEnd < cards.length ? orderOf(cards[tiedEnd]!) : null
    const key = generateKeyBetween(anchor, next)
    let previous = key
    for (const card of cards.slice(index + 1, tiedEnd)) {
      previous = generateKeyBetween(previous, next)
      card.set('order', previous)
    }
    return key
  }

  /** A card just created with a key from `keyAfter`. */
  added(card: EntityMap): void {
    if (!this.#cards) return
    this.#insert(card)
    const id = readString(card, 'id')
    this.#byId.set(id, [...(this.#byId.get(id) ?? []), card])
  }

  /** The card just given its key from `keyAfter(…, movingId)`: it and the cards set aside with it go back in order. */
  moved(card: EntityMap): void {
    const cards = this.#sorted()
    // A card whose `id` field is not its own was not set aside, and stands where its old key put it.
    if (!this.#aside.includes(card)) cards.splice(cards.indexOf(card), 1)
    for (const back of this.#aside.includes(card) ? this.#aside : [...this.#aside, card]) this.#insert(back)
    this.#aside = []
  }

  /** A card about to be deleted. */
  removed(card: EntityMap): void {
    if (!this.#cards) return
    this.#cards.splice(this.#indexOf(card), 1)
    const id = readString(card, 'id')
    this.#byId.set(id, this.#byId.get(id)!.filter((other) => other !== card))
    this.#unkeyed = this.#unkeyed?.filter((other) => other !== card)
  }

  #sorted(): EntityMap[] {
    if (this.#cards) return this.#cards
    this.#cards = orderedAssessments(this.doc)
    for (const card of this.#cards) {
      const id = readString(card, 'id')
      this.#byId.set(id, [...(this.#byId.get(id) ?? []), card])
    }
    return this.#cards
  }

  /** Where the first card (in board order) whose `id` field is `id` stands; -1 when none does. */
  #firstWithId(id: string): number {
    const found = (this.#byId.get(id) ?? []).map((card) => this.#indexOf(card))
    return found.length > 0 ? Math.min(...found) : -1
  }

  /** Where `card` stands: by its key and id, then among cards equal in both (a hostile client's doing), by identity. */
  #indexOf(card: EntityMap): number {
    const cards = this.#cards!
    let index = firstNotBefore(cards, card)
    while (cards[index] !== card && index < cards.length && compareOrder(cards[index]!, card) === 0) index++
    if (cards[index] !== card) throw new Error('A card is not where its order key puts it.')
    return index
  }

  /** Puts the card after every card that does not come after it, as a stable sort leaves a card added last. */
  #insert(card: EntityMap): void {
    const cards = this.#cards!
    let low = firstNotBefore(cards, card)
    while (low < cards.length && compareOrder(cards[low]!, card) === 0) low++
    cards.splice(low, 0, card)
  }
}

const orderOf = (card: EntityMap) => readString(card, 'order')

/** The index of the first of `cards` (in order) that does not come before `card`. */
function firstNotBefore(cards: EntityMap[], card: EntityMap): number {
  let low = 0
  let high = cards.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareOrder(cards[middle]!, card) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * `cards` (in order), each run of those whose `order` is not an order key
 * given keys where the run stands, so that a card can be placed beside any of
 * them. A websocket client may write anything there, and one bad key would
 * otherwise make every insert and move on the board throw, for everyone.
 */
function withOrderKeys(cards: EntityMap[]): EntityMap[] {
  const key = (card: EntityMap) => readString(card, 'order')
  for (let start = 0; start < cards.length; start++) {
    if (isOrderKey(key(cards[start]!))) continue
    let end = start
    while (end < cards.length && !isOrderKey(key(cards[end]!))) end++
    const before = start > 0 ? key(cards[start - 1]!) : null
    const after = cards.slice(end).map(key).find((next) => before === null || next > before) ?? null
    const fresh = generateNKeysBetween(before, after, end - start)
    cards.slice(start, end).forEach((card, i) => card.set('order', fresh[i]!))
    start = end
  }
  return cards
}

function isOrderKey(key: string): boolean {
  try {
    generateKeyBetween(key, null)
    return true
  } catch {
    return false
  }
}

export function addAssessment(doc: Y.Doc, input: AssessmentInput, ctx: MutationContext = {}): string {
  const { after, title, judgment, ...fields } = parseInput(assessmentInputSchema, input, 'assessment')
  return transact(doc, ctx, () => {
    const order = ctx.cardOrder ?? new CardOrder(doc)
    const id = newEntity(doc, ctx, 'assessments', {
      ...fields,
      ...(fields.likelihood === null ? {} : { likelihoodYardstick: yardstickOf(boardProfile(doc)) }),
      title: new Y.Text(title),
      judgment: new Y.Text(judgment),
      order: order.keyAfter(after),
      createdAt: nowIso(ctx),
      createdBy: ctx.by,
    })
    order.added(requireEntity(doc, 'assessments', id))
    return id
  })
}

export function updateAssessment(doc: Y.Doc, id: string, patch: AssessmentPatch, ctx: MutationContext = {}): void {
  const { likelihood, ...valid } = parseInput(assessmentPatchSchema, patch, 'assessment')
  transact(doc, ctx, () => {
    const card = requireEntity(doc, 'assessments', id)
    patchEntity(card, valid, ASSESSMENT_TEXTS)
    if (likelihood !== undefined) stateLikelihood(card, likelihood, boardProfile(doc))
  })
}

/**
 * Sets a likelihood with the yardstick it is stated under (shared/stated-likelihood.ts), both
 * written even when unchanged: setting the same band again is how an analyst restates it under
 * the board's yardstick. Writing the two keys together also keeps them a pair when another
 * change writes both at once (a confirmed change of yardstick, shared/board-settings-change.ts):
 * Yjs settles both keys' concurrent values for the same writer, so a band never ends up with the
 * other writer's yardstick.
 */
export function stateLikelihood(card: EntityMap, likelihood: LikelihoodBand | null, profile: LikelihoodProfile): void {
  card.set('likelihood', likelihood)
  if (likelihood === null) card.delete('likelihoodYardstick')
  else card.set('likelihoodYardstick', yardstickOf(profile))
}

/** Moves a card right after `afterId` (to the top when null). */
export function moveAssessment(doc: Y.Doc, id: string, afterId: string | null, ctx: MutationContext = {}): void {
  if (afterId === id) return
  transact(doc, ctx, () => {
    const card = requireEntity(doc, 'assessments', id)
    const order = ctx.cardOrder ?? new CardOrder(doc)
    card.set('order', order.keyAfter(afterId, id))
    order.moved(card)
  })
}

export function deleteAssessment(doc: Y.Doc, id: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    const card = requireEntity(doc, 'assessments', id)
    ctx.cardOrder?.removed(card)
    for (const linkId of idsWhere(doc, 'links', 'assessmentId', id)) collection(doc, 'links').delete(linkId)
    collection(doc, 'assessments').delete(id)
  })
}

/** A card as one person last saw it, with its links: what `restoreAssessment` puts back. */
export type KeptAssessment = { card: AssessmentModel; links: readonly Pick<LinkModel, 'claimId' | 'rating' | 'note'>[] }

/**
 * Puts back, as a new card in one change, a card someone else deleted while this person was editing it, from
 * this person's copy (client/src/board/edited-cards.ts): its fields, after the card it followed, its likelihood
 * under the yardstick it was stated in, and its links to the claims that still exist. A new id rather than the old
 * one: the deleter's undo brings the old id back, and two writes of one key keep only one of them.
 */
export function restoreAssessment(doc: Y.Doc, kept: KeptAssessment, ctx: MutationContext = {}): string {
  const { title, judgment, kind, likelihood, likelihoodYardstick, confidence, impact, status, tags, order } = kept.card
  return transact(doc, ctx, () => {
    const preceding = orderedAssessments(doc).filter((card) => readString(card, 'order') < order).at(-1)
    const after = preceding ? readString(preceding, 'id') : null
    const id = addAssessment(doc, { title, judgment, kind, likelihood, confidence, impact, status, tags, after }, ctx)
    if (likelihood !== null && likelihoodYardstick) requireEntity(doc, 'assessments', id).set('likelihoodYardstick', likelihoodYardstick)
    for (const link of kept.links) {
      if (entity(doc, 'claims', link.claimId)) addLink(doc, { assessmentId: id, claimId: link.claimId, rating: link.rating, ...(link.note === undefined ? {} : { note: link.note }) }, ctx)
    }
    return id
  })
}

/* Links */

export function addLink(doc: Y.Doc, input: LinkInput, ctx: MutationContext = {}): string {
  const valid = parseInput(linkInputSchema, input, 'link')
  return transact(doc, ctx, () => {
    requireEntity(doc, 'assessments', valid.assessmentId)
    requireEntity(doc, 'claims', valid.claimId)
    const existing = findLink(doc, valid.assessmentId, valid.claimId)
    if (existing) throw new BoardError('conflict', 'This claim is already linked to this assessment; change its rating instead.')
    return newEntity(doc, ctx, 'links', { ...valid, createdAt: nowIso(ctx) })
  })
}

/**
 * The link of this claim and assessment that the board counts (board-convert.ts, linksOfPair), or undefined: where
 * the pair has several, a new rating changes the rating everyone reads.
 */
export function findLink(doc: Y.Doc, assessmentId: string, claimId: string): string | undefined {
  return linksOfPair(doc, assessmentId, claimId).links[0]?.id
}

/**
 * Keeps this link's rating of its pair, in one change: the counted link takes its rating, and the links set aside are
 * deleted. The counted link is never deleted, so two editors keeping different ratings at once write the same field
 * (one rating wins) instead of each deleting the other's link, which left the pair unrated. Returns the counted link's id.
 */
export function keepLink(doc: Y.Doc, id: string, ctx: MutationContext = {}): string {
  return transact(doc, ctx, () => {
    const chosen = requireEntity(doc, 'links', id)
    const { links, setAside } = linksOfPair(doc, readString(chosen, 'assessmentId'), readString(chosen, 'claimId'))
    const counted = links[0]
    const kept = [...links, ...setAside].find((link) => link.id === id)
    if (!counted || !kept) throw new BoardError('not-found', `No link with id ${id} on this board.`)
    if (kept.rating !== counted.rating) requireEntity(doc, 'links', counted.id).set('rating', kept.rating)
    for (const link of setAside) collection(doc, 'links').delete(link.id)
    return counted.id
  })
}

export function updateLink(doc: Y.Doc, id: string, patch: LinkPatch, ctx: MutationContext = {}): void {
  const valid = parseInput(linkPatchSchema, patch, 'link')
  transact(doc, ctx, () => patchEntity(requireEntity(doc, 'links', id), valid))
}

export function deleteLink(doc: Y.Doc, id: string, ctx: MutationContext = {}): void {
  transact(doc, ctx, () => {
    requireEntity(doc, 'links', id)
    collection(doc, 'links').delete(id)
  })
}

/** The ids (keys in the collection, whatever an entity's own `id` field says) of the entities whose `field` is `value`. */
function idsWhere(doc: Y.Doc, name: Collection, field: string, value: string): string[] {
  return Array.from(entities(doc, name)).flatMap(([id, map]) => (map.get(field) === value ? [id] : []))
}

