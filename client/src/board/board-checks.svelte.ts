/**
 * The analytic checks (shared/analysis-checks.ts) on the board as it is in
 * this browser, live: every change anyone makes re-checks what it touched. A
 * card asks for its own findings; the texts' checks are kept per assessment
 * entity, which the store re-reads only when it changes, so typing in one
 * judgment re-reads one judgment's words, not the whole board's.
 */
import {
  acknowledge,
  assessmentFindings,
  boardFindings,
  textFindings,
  type CheckedFinding,
  type Finding,
  type TextField,
} from '../../../shared/analysis-checks.ts'
import type { AssessmentModel } from '../../../shared/board-model.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'
import type { BoardStore } from './board-store.svelte.ts'

type TextChecks = { profile: LikelihoodProfile; title: Finding[]; judgment: Finding[] }

export class BoardChecks {
  readonly #store: BoardStore
  readonly #texts = new WeakMap<AssessmentModel, TextChecks>()

  /** The board's own findings (no key judgment, no diagnostic evidence). */
  readonly board: CheckedFinding[] = $derived.by(() => {
    const store = this.#store
    const findings = boardFindings({
      profile: store.meta.profile,
      assessments: store.assessments,
      claims: store.claims,
      sources: store.sources,
      links: store.links,
    })
    return acknowledge(findings, store.acknowledgements)
  })

  /** Every finding on the board: the board's own first, then each card's in board order. */
  readonly all: CheckedFinding[] = $derived.by(() => [...this.board, ...this.#store.assessments.flatMap((a) => this.of(a))])

  /** How many findings no one has acknowledged. */
  readonly openCount: number = $derived(this.all.filter((f) => f.acknowledgement === null).length)

  constructor(store: BoardStore) {
    this.#store = store
  }

  /** One assessment's findings, with their acknowledgements. */
  of(assessment: AssessmentModel): CheckedFinding[] {
    const store = this.#store
    const findings = assessmentFindings(
      assessment,
      { profile: store.meta.profile, links: store.linksOfAssessment(assessment.id), claimById: store.claimById, sourceById: store.sourceById },
      (a, field, profile) => this.#text(a, field, profile),
    )
    return acknowledge(findings, store.acknowledgements)
  }

  #text(assessment: AssessmentModel, field: TextField, profile: LikelihoodProfile): Finding[] {
    let cached = this.#texts.get(assessment)
    if (!cached || cached.profile !== profile) {
      cached = {
        profile,
        title: textFindings(assessment.id, 'title', assessment.title, assessment.likelihood, profile),
        judgment: textFindings(assessment.id, 'judgment', assessment.judgment, assessment.likelihood, profile),
      }
      this.#texts.set(assessment, cached)
    }
    return cached[field]
  }
}
