/**
 * The analytic checks (shared/analysis-checks.ts) on the board as it is in
 * this browser, live: every change anyone makes re-checks what it touched.
 *
 * Typing into one judgment must not re-check a thousand cards: the store
 * re-reads only the entity a change touched and keeps every other entity, its
 * links and the claim and source maps as the same objects, so each card's
 * findings are kept until one of those objects changes. The board's own
 * checks depend on which cards are key judgments and hypotheses, not on their
 * words, so they are recomputed only when that, or the evidence, changes.
 */
import { untrack } from 'svelte'
import { acknowledge, assessmentFindings, boardFindings, type CheckBoard, type CheckedFinding } from '../../../shared/analysis-checks.ts'
import type { AcknowledgementModel, AssessmentModel, ClaimModel, LinkModel, SourceModel } from '../../../shared/board-model.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

/** What one card's findings were computed from: while every part is the same object, so are the findings. */
type Inputs = {
  profile: LikelihoodProfile
  links: readonly LinkModel[]
  claimById: ReadonlyMap<string, ClaimModel>
  sourceById: ReadonlyMap<string, SourceModel>
  acknowledgements: readonly AcknowledgementModel[]
}

/** What the checks read of the board in this browser: its store, read reactively. */
export type CheckedBoard = Omit<CheckBoard, 'profile' | 'acknowledgements'> &
  Pick<Inputs, 'claimById' | 'sourceById' | 'acknowledgements'> & {
    readonly meta: { readonly profile: LikelihoodProfile }
    linksOfAssessment(id: string): readonly LinkModel[]
  }

const sameInputs = (a: Inputs, b: Inputs) =>
  a.profile === b.profile && a.links === b.links && a.claimById === b.claimById && a.sourceById === b.sourceById && a.acknowledgements === b.acknowledgements

export class BoardChecks {
  readonly #store: CheckedBoard
  readonly #cards = new WeakMap<AssessmentModel, { inputs: Inputs; findings: CheckedFinding[] }>()

  /** Which cards are there as the board's own checks see them: whether any, which are key judgments, which hypotheses. */
  readonly #shape: string = $derived.by(() => {
    let keyJudgments = 0
    const hypotheses: string[] = []
    for (const a of this.#store.assessments) {
      if (a.kind === 'key-judgment') keyJudgments++
      else if (a.kind === 'hypothesis') hypotheses.push(a.id)
    }
    return `${this.#store.assessments.length > 0}:${keyJudgments > 0}:${hypotheses.join(',')}`
  })

  /** The board's own findings (no key judgment, no diagnostic evidence). */
  readonly board: CheckedFinding[] = $derived.by(() => {
    void this.#shape
    const store = this.#store
    const { links, claims, sources, acknowledgements } = store
    // The cards' words and the wording profile do not matter here, only the cards' kinds, which #shape follows.
    const [assessments, profile] = untrack(() => [store.assessments, store.meta.profile] as const)
    return acknowledge(boardFindings({ profile, assessments, claims, sources, links }), acknowledgements)
  })

  /** Every card's findings in board order. */
  readonly #cardFindings: CheckedFinding[] = $derived.by(() => this.#store.assessments.flatMap((a) => this.of(a)))

  /** Every finding on the board: the board's own first, then each card's in board order. */
  readonly all: CheckedFinding[] = $derived([...this.board, ...this.#cardFindings])

  /** How many findings no one has acknowledged. */
  readonly openCount: number = $derived(this.all.reduce((open, f) => (f.acknowledgement === null ? open + 1 : open), 0))

  constructor(store: CheckedBoard) {
    this.#store = store
  }

  /** One assessment's findings, with their acknowledgements. */
  of(assessment: AssessmentModel): CheckedFinding[] {
    const store = this.#store
    const inputs: Inputs = {
      profile: store.meta.profile,
      links: store.linksOfAssessment(assessment.id),
      claimById: store.claimById,
      sourceById: store.sourceById,
      acknowledgements: store.acknowledgements,
    }
    const cached = this.#cards.get(assessment)
    if (cached && sameInputs(cached.inputs, inputs)) return cached.findings
    const findings = acknowledge(assessmentFindings(assessment, { ...inputs }), inputs.acknowledgements)
    this.#cards.set(assessment, { inputs, findings })
    return findings
  }
}
