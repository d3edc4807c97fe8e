/**
 * What this person is doing on the board (selection, search, filters, the
 * view shown, open dialogs) and the lists it derives from the board: the
 * rows the card list and the claims panel show.
 */
import type { AssessmentModel, ClaimModel, SourceModel } from '../../../shared/board-model.ts'
import type { ClaimCredibility, SourceReliability } from '../../../shared/domain.ts'
import type { ReactiveBoard } from './reactive-board.svelte.ts'

export type Tab = 'board' | 'matrix' | 'ach' | 'history'
export type Inspected = { kind: 'assessment' | 'claim' | 'source'; id: string } | null

export type CardRow = { kind: 'section'; key: string; label: string; count: number } | { kind: 'card'; key: string; assessment: AssessmentModel }
export type ClaimRow =
  | { kind: 'source'; key: string; source: SourceModel; count: number }
  | { kind: 'claim'; key: string; claim: ClaimModel; source: SourceModel }

export type ClaimFilter = {
  unlinked: boolean
  hideRetracted: boolean
  sourceId: string
  reliability: SourceReliability | ''
  credibility: ClaimCredibility | 0
}

/** Where focus should go next; the component owning the target takes it. */
export type FocusTarget = 'cards' | 'claims' | 'search' | 'title' | 'judgment' | 'composer' | 'inspector'

/** A side panel shown over the centre: on narrow windows, and beside the ACH matrix, which takes the full width. */
export type Drawer = 'claims' | 'inspector'

const DRAWER_OF: Record<FocusTarget, Drawer | null> = {
  cards: null,
  claims: 'claims',
  search: null,
  title: 'inspector',
  judgment: 'inspector',
  composer: null,
  inspector: 'inspector',
}

const SECTIONS = [
  { key: 'key-judgments', label: 'Key judgments', kinds: ['key-judgment'] },
  { key: 'assessments', label: 'Assessments · hypotheses', kinds: ['assessment', 'hypothesis'] },
] as const

function matches(text: string, query: string): boolean {
  return text.toLowerCase().includes(query)
}

export class BoardUi {
  readonly #store: ReactiveBoard
  tab = $state<Tab>('board')
  selectedAssessmentId = $state<string | null>(null)
  selectedClaimId = $state<string | null>(null)
  /** The row of the claims panel the keyboard is on: a claim's id or `source:<id>`. */
  claimCursor = $state<string | null>(null)
  inspected = $state<Inspected>(null)
  search = $state('')
  claimFilter = $state<ClaimFilter>({ unlinked: false, hideRetracted: false, sourceId: '', reliability: '', credibility: 0 })
  composing = $state(false)
  showShortcuts = $state(false)
  /** A claim about to be linked to an assessment: the rating is asked first. */
  linking = $state<{ assessmentId: string; claimId: string } | null>(null)
  focusRequest = $state<{ target: FocusTarget; nonce: number }>({ target: 'cards', nonce: 0 })
  /** The side panel open over the centre where the panels are drawers; wide boards show both and ignore it. */
  drawer = $state<Drawer | null>(null)
  /**
   * Off while keys meant for a field may still come: someone else deleted the card (or the item of a plain field) this person was typing in,
   * and the notice took the focus. Escape or a click turns the single-key shortcuts on again, so "a" or "n" typed on
   * after the field went switches no view and opens no new card (red team 37c); a rule, not a timer, so a slow
   * typist is covered as well as a fast one.
   */
  shortcutsHeld = $state(false)

  readonly #query = $derived(this.search.trim().toLowerCase())

  readonly cardRows: CardRow[] = $derived.by(() => {
    const query = this.#query
    const visible = query
      ? this.#store.assessments.filter(
          (a) => matches(a.title, query) || matches(a.judgment, query) || a.tags.some((tag) => matches(tag, query)),
        )
      : this.#store.assessments
    const rows: CardRow[] = []
    for (const section of SECTIONS) {
      const cards = visible.filter((a) => (section.kinds as readonly string[]).includes(a.kind))
      if (cards.length === 0 && section.key === 'key-judgments') continue
      rows.push({ kind: 'section', key: section.key, label: section.label, count: cards.length })
      for (const assessment of cards) rows.push({ kind: 'card', key: assessment.id, assessment })
    }
    return rows
  })

  /** The cards in the order the list shows them (sections first), for J/K and moves. */
  readonly cardOrder: AssessmentModel[] = $derived(
    this.cardRows.flatMap((row) => (row.kind === 'card' ? [row.assessment] : [])),
  )

  readonly claimRows: ClaimRow[] = $derived.by(() => {
    const query = this.#query
    const filter = this.claimFilter
    const store = this.#store
    const bySource = new Map<string, ClaimModel[]>()
    for (const claim of store.claims) {
      if (filter.hideRetracted && claim.status === 'retracted') continue
      if (filter.sourceId && claim.sourceId !== filter.sourceId) continue
      if (filter.credibility && claim.credibility !== filter.credibility) continue
      if (filter.unlinked && store.linksOfClaim(claim.id).length > 0) continue
      const list = bySource.get(claim.sourceId)
      if (list) list.push(claim)
      else bySource.set(claim.sourceId, [claim])
    }
    const rows: ClaimRow[] = []
    for (const source of store.sources) {
      if (filter.reliability && source.reliability !== filter.reliability) continue
      if (filter.sourceId && source.id !== filter.sourceId) continue
      let claims = bySource.get(source.id) ?? []
      if (query && !matches(source.name, query)) claims = claims.filter((claim) => matches(claim.text, query))
      const filtering = query !== '' || filter.unlinked || filter.credibility !== 0 || filter.hideRetracted
      if (claims.length === 0 && filtering) continue
      rows.push({ kind: 'source', key: `source:${source.id}`, source, count: claims.length })
      for (const claim of claims) rows.push({ kind: 'claim', key: claim.id, claim, source })
    }
    return rows
  })

  readonly claimOrder: ClaimModel[] = $derived(this.claimRows.flatMap((row) => (row.kind === 'claim' ? [row.claim] : [])))

  readonly filtersActive = $derived(
    this.claimFilter.unlinked ||
      this.claimFilter.hideRetracted ||
      this.claimFilter.sourceId !== '' ||
      this.claimFilter.reliability !== '' ||
      this.claimFilter.credibility !== 0,
  )

  constructor(store: ReactiveBoard) {
    this.#store = store
  }

  selectAssessment(id: string | null, { inspect = true } = {}): void {
    this.selectedAssessmentId = id
    if (inspect) this.inspected = id ? { kind: 'assessment', id } : null
  }

  selectClaim(id: string | null, { inspect = true } = {}): void {
    this.selectedClaimId = id
    if (id) this.claimCursor = id
    if (inspect) this.inspected = id ? { kind: 'claim', id } : null
  }

  /** The inspector shows the board itself: its BLUF and checks. */
  inspectBoard(): void {
    this.selectedAssessmentId = null
    this.selectedClaimId = null
    this.inspected = null
  }

  inspectSource(id: string): void {
    this.claimCursor = `source:${id}`
    this.inspected = { kind: 'source', id }
  }

  /** Also opens the drawer holding the target (or closes the drawers), so the focus has somewhere visible to go. */
  focus(target: FocusTarget): void {
    this.drawer = DRAWER_OF[target]
    this.focusRequest = { target, nonce: this.focusRequest.nonce + 1 }
  }

  /** Asks for the rating of a link between the selected claim and assessment (or the given ones). */
  startLink(assessmentId = this.selectedAssessmentId, claimId = this.selectedClaimId): boolean {
    if (!assessmentId || !claimId) return false
    this.linking = { assessmentId, claimId }
    return true
  }

  clearClaimFilter(): void {
    this.claimFilter = { unlinked: false, hideRetracted: false, sourceId: '', reliability: '', credibility: 0 }
  }

  /** Forgets selections of items that no longer exist (someone else deleted them). */
  prune(): void {
    if (this.selectedAssessmentId && !this.#store.assessmentById.has(this.selectedAssessmentId)) this.selectedAssessmentId = null
    if (this.selectedClaimId && !this.#store.claimById.has(this.selectedClaimId)) this.selectedClaimId = null
    const inspected = this.inspected
    if (!inspected) return
    const exists =
      inspected.kind === 'assessment'
        ? this.#store.assessmentById.has(inspected.id)
        : inspected.kind === 'claim'
          ? this.#store.claimById.has(inspected.id)
          : this.#store.sourceById.has(inspected.id)
    if (!exists) this.inspected = null
  }
}
