/**
 * A board in the browser: its Y.Doc read as reactive plain entities, and every
 * change made through the shared mutations, as this person, with an undo
 * manager that tracks this person's changes only.
 *
 * The store knows nothing of the network: a live board, an offline copy or,
 * later, a snapshot all give it a Y.Doc.
 */
import { createSubscriber } from 'svelte/reactivity'
import * as Y from 'yjs'
import { claimInModel, documentText } from '../../../shared/board-convert.ts'
import { blufText, BoardError, collection, entity, type AssessmentTextField, type Collection } from '../../../shared/board-doc.ts'
import type {
  AcknowledgementInput,
  AcknowledgementModel,
  AssessmentInput,
  AssessmentModel,
  AssessmentPatch,
  ClaimInput,
  ClaimModel,
  ClaimPatch,
  LinkModel,
  LinkPatch,
  SourceInput,
  SourceModel,
  SourcePatch,
  UnrecognisedField,
} from '../../../shared/board-model.ts'
import { applyBatch, type Batch, type BatchResult } from '../../../shared/board-batch.ts'
import { boardUndoManager } from '../../../shared/board-undo.ts'
import * as mutations from '../../../shared/board-mutations.ts'
import { localOrigin } from '../../../shared/change-origin.ts'
import { isContradicting, isSupporting, type AchRating } from '../../../shared/domain.ts'
import { toasts } from '../app/toasts.svelte.ts'
import { fieldWrite } from '../ui/field-write.ts'
import type { FieldShape, PlainField } from '../ui/plain-field.ts'
import { PLAIN_COLLECTIONS, plainFieldSpec, type PlainCollection, type PlainKey } from './plain-field-table.ts'
import { quoted } from './unsaved-texts.ts'
import { AcknowledgementsReader } from './acknowledgements-reader.svelte.ts'
import { BoardChecks } from './board-checks.svelte.ts'
import { byBoardOrder, byClaimOrder, byCreation, byImport, bySourceOrder } from '../../../shared/entity-order.ts'
import { CollectionReader } from './collection-reader.svelte.ts'
import { onePerPair, pairKey, type LinkPairs } from '../../../shared/link-pairs.ts'
import { MetaReader, type BoardMeta } from './meta-reader.svelte.ts'

export type LinkCounts = { support: number; contradict: number; total: number }

const NO_LINKS: readonly LinkModel[] = []

/** The collections whose entities have plain text fields a person types in. */

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** The same set when the ids are the same, so that what depends on it is not recomputed. */
function sameIds(current: Set<string>, items: readonly { id: string }[]): Set<string> {
  if (items.length === current.size && items.every((item) => current.has(item.id))) return current
  return new Set(items.map((item) => item.id))
}

export class ReactiveBoard {
  readonly doc: Y.Doc
  readonly boardId: string
  /** The transaction origin of this person's changes, and the only origin their undo manager tracks. */
  readonly origin = localOrigin()
  readonly undoManager: Y.UndoManager
  /** A reviewer's store refuses every change, whatever the UI shows. */
  readonly readOnly: boolean
  readonly #by: string
  readonly #meta: MetaReader
  readonly #sources: CollectionReader<'sources'>
  readonly #documents: CollectionReader<'documents'>
  readonly #claims: CollectionReader<'claims'>
  readonly #assessments: CollectionReader<'assessments'>
  readonly #links: CollectionReader<'links'>
  readonly #acknowledgements: AcknowledgementsReader
  readonly #subscribeUndo = createSubscriber((update) => {
    this.undoManager.on('stack-item-added', update)
    this.undoManager.on('stack-item-popped', update)
    this.undoManager.on('stack-cleared', update)
    return () => {
      this.undoManager.off('stack-item-added', update)
      this.undoManager.off('stack-item-popped', update)
      this.undoManager.off('stack-cleared', update)
    }
  })

  readonly sources: readonly SourceModel[] = $derived.by(() => this.#sources.list)
  readonly sourceById: ReadonlyMap<string, SourceModel> = $derived(new Map(this.sources.map((s) => [s.id, s])))
  readonly documents = $derived.by(() => this.#documents.list)
  /**
   * Claims as the board's model holds them (claimInModel): those whose source exists (two people may delete a
   * source and add a claim to it at once), a claim's provenance dropped where its document is gone or its words
   * are not the document's, so that such a claim shows as one by hand, as the API and the briefing read it.
   */
  readonly claims: readonly ClaimModel[] = $derived.by(() => {
    const documentIds = new Set(this.documents.map((d) => d.id))
    const heldDocumentText = (id: string) => (documentIds.has(id) ? documentText(this.doc, id) : undefined)
    return this.#claims.list.flatMap((c) => claimInModel(c, (sourceId) => this.sourceById.has(sourceId), heldDocumentText) ?? [])
  })
  readonly claimById: ReadonlyMap<string, ClaimModel> = $derived(new Map(this.claims.map((c) => [c.id, c])))
  /** In board order. */
  readonly assessments: readonly AssessmentModel[] = $derived.by(() => this.#assessments.list)
  readonly assessmentById: ReadonlyMap<string, AssessmentModel> = $derived(new Map(this.assessments.map((a) => [a.id, a])))
  // The sets of ids change far less often than the entities (typing changes one
  // assessment, not which exist), so links are only filtered again when they do.
  #assessmentIds = new Set<string>()
  #claimIds = new Set<string>()
  #retractedClaimIds = new Set<string>()
  readonly #stableAssessmentIds = $derived.by(() => (this.#assessmentIds = sameIds(this.#assessmentIds, this.assessments)))
  readonly #stableClaimIds = $derived.by(() => (this.#claimIds = sameIds(this.#claimIds, this.claims)))
  readonly #stableRetractedClaimIds = $derived.by(
    () => (this.#retractedClaimIds = sameIds(this.#retractedClaimIds, this.claims.filter((c) => c.status === 'retracted'))),
  )
  /** Links whose claim and assessment both exist, one per pair, and the others of a pair, set aside (shared/link-pairs.ts). */
  readonly #pairs: LinkPairs = $derived.by(() => {
    const assessments = this.#stableAssessmentIds
    const claims = this.#stableClaimIds
    return onePerPair(this.#links.list.filter((l) => claims.has(l.claimId) && assessments.has(l.assessmentId)))
  })
  /** Links whose claim and assessment both exist, one per claim and assessment: what the board counts. */
  readonly links: readonly LinkModel[] = $derived(this.#pairs.links)
  /** The links of a claim and assessment that already have an earlier one: counted nowhere until an editor keeps one rating. */
  readonly setAsideLinks: readonly LinkModel[] = $derived(this.#pairs.setAside)
  readonly #setAsideByPair = $derived(groupBy(this.setAsideLinks, pairKey))
  /** The fields read as not assessed, since what they hold is no value their schema recognises: the checks name each. */
  readonly unrecognised: readonly UnrecognisedField[] = $derived.by(() =>
    [this.#sources, this.#claims, this.#assessments, this.#links].flatMap((reader) => reader.unrecognised),
  )
  readonly #linksByAssessment = $derived(groupBy(this.links, (l) => l.assessmentId))
  readonly #linksByClaim = $derived(groupBy(this.links, (l) => l.claimId))
  /** A card's ▲ supporting and ▼ contradicting claims: a retracted claim is never counted, as the checks and the briefing count none. */
  readonly #counts = $derived.by(() => {
    const retracted = this.#stableRetractedClaimIds
    const counts = new Map<string, LinkCounts>()
    for (const [id, links] of this.#linksByAssessment) {
      let support = 0
      let contradict = 0
      for (const link of links) {
        if (retracted.has(link.claimId)) continue
        if (isSupporting(link.rating)) support++
        else if (isContradicting(link.rating)) contradict++
      }
      counts.set(id, { support, contradict, total: links.length })
    }
    return counts
  })

  /** Acknowledged check findings, by creation time. */
  readonly acknowledgements: readonly AcknowledgementModel[] = $derived.by(() => this.#acknowledgements.list)
  /** The analytic checks of this board, live. */
  readonly checks = new BoardChecks(this)

  constructor(doc: Y.Doc, boardId: string, options: { by: string; readOnly: boolean }) {
    this.doc = doc
    this.boardId = boardId
    this.readOnly = options.readOnly
    this.#by = options.by
    this.#meta = new MetaReader(doc)
    this.#sources = new CollectionReader(doc, 'sources', bySourceOrder)
    this.#documents = new CollectionReader(doc, 'documents', byImport)
    this.#claims = new CollectionReader(doc, 'claims', byClaimOrder)
    this.#assessments = new CollectionReader(doc, 'assessments', byBoardOrder)
    this.#links = new CollectionReader(doc, 'links', byCreation)
    this.#acknowledgements = new AcknowledgementsReader(doc)
    this.undoManager = boardUndoManager(doc, this.origin)
  }

  get meta(): BoardMeta {
    return this.#meta.value
  }

  linksOfAssessment(id: string): readonly LinkModel[] {
    return this.#linksByAssessment.get(id) ?? NO_LINKS
  }

  /** The links set aside for this counted link's pair (other ratings of its claim against its assessment), none mostly. */
  setAsideFor(link: LinkModel): readonly LinkModel[] {
    return this.#setAsideByPair.get(pairKey(link)) ?? NO_LINKS
  }

  linksOfClaim(id: string): readonly LinkModel[] {
    return this.#linksByClaim.get(id) ?? NO_LINKS
  }

  counts(assessmentId: string): LinkCounts {
    return this.#counts.get(assessmentId) ?? { support: 0, contradict: 0, total: 0 }
  }

  /**
   * The stored text of an imported document, or undefined when the board does
   * not hold it. Reading the documents first makes it reactive: the reader
   * follows every change to them, their bodies included.
   */
  documentText(documentId: string): string | undefined {
    return this.documents.some((d) => d.id === documentId) ? documentText(this.doc, documentId) : undefined
  }

  /** The shared text of the board's bottom line up front. */
  get bluf(): Y.Text {
    return blufText(this.doc)
  }

  /**
   * The shared text behind an assessment's title or judgment, for a collaborative editor; or, where a board
   * stored before the relay refused it holds something else there, the characters the model reads from it
   * (a string's, else none), for the field to show read-only. Reading the assessment first makes it reactive.
   */
  text(assessmentId: string, field: AssessmentTextField): Y.Text | string {
    const plain = this.assessmentById.get(assessmentId)?.[field] ?? ''
    const stored = entity(this.doc, 'assessments', assessmentId)?.get(field)
    return stored instanceof Y.Text ? stored : plain
  }

  get canUndo(): boolean {
    this.#subscribeUndo()
    return this.undoManager.canUndo()
  }

  get canRedo(): boolean {
    this.#subscribeUndo()
    return this.undoManager.canRedo()
  }

  undo(): void {
    if (!this.readOnly) this.undoManager.undo()
  }

  redo(): void {
    if (!this.readOnly) this.undoManager.redo()
  }

  addAssessment(input: AssessmentInput): string | null {
    return this.#change((ctx) => mutations.addAssessment(this.doc, input, ctx))
  }

  updateAssessment(id: string, patch: AssessmentPatch): void {
    this.#change((ctx) => mutations.updateAssessment(this.doc, id, patch, ctx))
  }

  /** Puts a card right after `afterId`, or first when null. */
  moveAssessment(id: string, afterId: string | null): void {
    this.#change((ctx) => mutations.moveAssessment(this.doc, id, afterId, ctx))
  }

  deleteAssessment(id: string): void {
    this.#change((ctx) => mutations.deleteAssessment(this.doc, id, ctx))
  }

  addSource(input: SourceInput): string | null {
    return this.#change((ctx) => mutations.addSource(this.doc, input, ctx))
  }

  /**
   * One plain text field of an entity, as CommitText edits it and PlainFieldWrites keeps its writes: it reads the
   * document by the entity's id, and saves to that id, so that a write merged back once the field is off screen goes
   * to the entity it was typed for. Its label (plain-field-table.ts) names it in notices ("Analyst’s note").
   */
  plainField<C extends PlainCollection>(name: C, id: string, key: PlainKey<C>): PlainField {
    return this.#plainField(name, id, key, plainFieldSpec(name, key)!.label)
  }

  /**
   * The plain text field `key` of the entity `map` is (plain-field-table.ts), or null when it is none: what a page
   * merges a crossing of that field's writes through (PlainFieldWrites), the field on screen or not.
   */
  plainFieldAt(map: Y.Map<unknown>, key: string): { field: PlainField; shape: FieldShape } | null {
    const item = map._item
    const id = item?.parentSub
    const name = PLAIN_COLLECTIONS.find((candidate) => item?.parent === collection(this.doc, candidate))
    const spec = name === undefined ? null : plainFieldSpec(name, key)
    if (typeof id !== 'string' || name === undefined || spec === null) return null
    return { field: this.#plainField(name, id, key, spec.label), shape: spec.shape }
  }

  #plainField(name: PlainCollection, id: string, key: string, label: string): PlainField {
    const map = () => entity(this.doc, name, id)
    return {
      key: `${name}/${id}/${key}`,
      write: () => fieldWrite(map(), key),
      stored: () => {
        const value = map()?.get(key)
        return typeof value === 'string' ? value : ''
      },
      exists: () => map() !== undefined,
      save: (value) => this.#savePlain(name, id, key, value),
      where: () => `${label} of ${this.#ownerName(name, id)}`,
    }
  }

  /** A plain field's value saved as its entity keeps it: a source's name and kind and a claim's fields always, a source's or link's optional field emptied as none. */
  #savePlain(name: PlainCollection, id: string, key: string, value: string): void {
    if (name === 'claims') this.updateClaim(id, { [key]: value })
    else if (name === 'sources') this.updateSource(id, { [key]: key === 'name' || key === 'kind' ? value : value || undefined })
    else this.updateLink(id, { [key]: value || undefined })
  }

  /** The entity a plain field belongs to, as a notice names it. */
  #ownerName(name: PlainCollection, id: string): string {
    const text = (collection: Collection, of: string | undefined, key: string) => {
      const value = of === undefined ? undefined : entity(this.doc, collection, of)?.get(key)
      return quoted(typeof value === 'string' ? value : '')
    }
    if (name === 'sources') return `the source ${text('sources', id, 'name')}`
    if (name === 'claims') return `the claim ${text('claims', id, 'text')}`
    const claimId = entity(this.doc, 'links', id)?.get('claimId')
    return `the link of the claim ${text('claims', typeof claimId === 'string' ? claimId : undefined, 'text')}`
  }

  updateSource(id: string, patch: SourcePatch): void {
    this.#change((ctx) => mutations.updateSource(this.doc, id, patch, ctx))
  }

  deleteSource(id: string): void {
    this.#change((ctx) => mutations.deleteSource(this.doc, id, ctx))
  }

  addClaim(input: ClaimInput): string | null {
    return this.#change((ctx) => mutations.addClaim(this.doc, input, ctx))
  }

  updateClaim(id: string, patch: ClaimPatch): void {
    this.#change((ctx) => mutations.updateClaim(this.doc, id, patch, ctx))
  }

  deleteClaim(id: string): void {
    this.#change((ctx) => mutations.deleteClaim(this.doc, id, ctx))
  }

  /** Links a claim to an assessment, or changes the rating of the link they already have. */
  link(assessmentId: string, claimId: string, rating: AchRating): void {
    this.#change((ctx) => {
      const existing = mutations.findLink(this.doc, assessmentId, claimId)
      if (existing) mutations.updateLink(this.doc, existing, { rating }, ctx)
      else mutations.addLink(this.doc, { assessmentId, claimId, rating }, ctx)
    })
  }

  updateLink(id: string, patch: LinkPatch): void {
    this.#change((ctx) => mutations.updateLink(this.doc, id, patch, ctx))
  }

  deleteLink(id: string): void {
    this.#change((ctx) => mutations.deleteLink(this.doc, id, ctx))
  }

  /** Keeps this rating of its claim against its assessment, and deletes the pair's others. */
  keepLink(id: string): void {
    this.#change((ctx) => mutations.keepLink(this.doc, id, ctx))
  }

  acknowledge(input: AcknowledgementInput): void {
    this.#change((ctx) => mutations.acknowledgeFinding(this.doc, input, ctx))
  }

  withdrawAcknowledgement(key: string): void {
    this.#change((ctx) => mutations.withdrawAcknowledgement(this.doc, key, ctx))
  }

  /** Several mutations as one change and one undo step, all or none (shared/board-batch.ts); null when refused (and told). */
  batch(batch: Batch): BatchResult | null {
    return this.#change((ctx) => applyBatch(this.doc, batch, ctx))
  }

  /** Runs a change as this person, as one undo step; a refused change is told, not thrown. */
  change<T>(apply: (ctx: mutations.MutationContext) => T): T | null {
    return this.#change(apply)
  }

  destroy(): void {
    this.undoManager.destroy()
    for (const reader of [this.#meta, this.#sources, this.#documents, this.#claims, this.#assessments, this.#links, this.#acknowledgements]) reader.destroy()
  }

  #change<T>(apply: (ctx: mutations.MutationContext) => T): T | null {
    if (this.readOnly) return null
    // Each deliberate change is its own undo step, not merged with typing just before it.
    this.undoManager.stopCapturing()
    try {
      return apply({ by: this.#by, origin: this.origin })
    } catch (error) {
      if (error instanceof BoardError) {
        toasts.error(error.message)
        return null
      }
      throw error
    } finally {
      this.undoManager.stopCapturing()
    }
  }
}
