/**
 * The analytic checks (shared/analysis-checks.ts) on the board as it is in
 * this browser, live: every change anyone makes re-checks what it touched.
 *
 * Typing into one judgment must not re-check a thousand cards: the store
 * re-reads only the entity a change touched and keeps every other entity, its
 * links, claims and sources as the same objects, so each card's findings are
 * kept until the card, one of its links or a claim or source they lead to
 * changes. A change to another claim, or to an acknowledgement, re-checks no
 * card: acknowledgements are looked up by finding key afterwards. The board's
 * own checks depend on which cards are key judgments and hypotheses, not on
 * their words, so they are recomputed only when that, or the evidence, changes;
 * the board's key question and bottom line are read again only as they change.
 */
import { untrack } from 'svelte'
import {
  acknowledgeBy,
  acknowledgementsByKey,
  assessmentFindings,
  boardFindings,
  boardWordingFindings,
  type CheckBoard,
  type CheckedFinding,
  type Finding,
} from '../../../shared/analysis-checks.ts'
import type { AcknowledgementModel, AssessmentModel, ClaimModel, LinkModel, SourceModel } from '../../../shared/board-model.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

/** What one card's findings were computed from besides the card: while every part is the same object, so are the findings. */
type Inputs = {
  profile: LikelihoodProfile
  links: readonly LinkModel[]
  /** The claim each link leads to and that claim's source, in link order (undefined where there is none). */
  linked: readonly (ClaimModel | SourceModel | undefined)[]
}

/** One card's findings, and the same findings with their acknowledgements as last given out. */
type CardEntry = { inputs: Inputs; findings: Finding[]; checked: CheckedFinding[] }

/** What the checks read of the board in this browser: its store, read reactively. */
export type CheckedBoard = Omit<CheckBoard, 'profile' | 'acknowledgements' | 'question' | 'bluf'> & {
  readonly meta: { readonly profile: LikelihoodProfile; readonly question: string; readonly bluf: string }
  readonly claimById: ReadonlyMap<string, ClaimModel>
  readonly sourceById: ReadonlyMap<string, SourceModel>
  readonly acknowledgements: readonly AcknowledgementModel[]
  linksOfAssessment(id: string): readonly LinkModel[]
}

const sameItems = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((item, i) => item === b[i])

// Links compared one by one: the store groups them again on any change to a link, of this card or another.
const sameInputs = (a: Inputs, b: Inputs) => a.profile === b.profile && sameItems(a.links, b.links) && sameItems(a.linked, b.linked)

/** Whether each finding given out still carries the acknowledgement its key has now. */
const sameAcknowledgements = (checked: readonly CheckedFinding[], byKey: ReadonlyMap<string, AcknowledgementModel>) =>
  checked.every((f) => f.acknowledgement === (byKey.get(f.key) ?? null))

export class BoardChecks {
  readonly #store: CheckedBoard
  readonly #cards = new WeakMap<AssessmentModel, CardEntry>()

  readonly #acknowledgementByKey: ReadonlyMap<string, AcknowledgementModel> = $derived.by(() => acknowledgementsByKey(this.#store.acknowledgements))

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

  /** Which fields read as not assessed: a keystroke rebuilds the cards' list, and leaves this as it was. */
  readonly #unrecognised: string = $derived.by(() => (this.#store.unrecognised ?? []).map((f) => `${f.collection}:${f.id}:${f.field}`).join('|'))

  readonly #boardFindings: Finding[] = $derived.by(() => {
    void this.#shape
    void this.#unrecognised
    const store = this.#store
    const { links, claims, sources, setAsideLinks } = store
    // The cards' words and the wording profile do not matter here, only the cards' kinds, which #shape follows.
    const [assessments, profile, unrecognised] = untrack(() => [store.assessments, store.meta.profile, store.unrecognised] as const)
    return boardFindings({ profile, assessments, claims, sources, links, unrecognised, setAsideLinks })
  })

  /** The words of the key question and the bottom line: re-read as they are typed, and nothing else with them. */
  readonly #boardWordingFindings: Finding[] = $derived.by(() => {
    const { profile, question, bluf } = this.#store.meta
    return boardWordingFindings({ profile, question, bluf })
  })

  /** The board's own findings (no key judgment, no diagnostic evidence, the wording of its key question and bottom line). */
  readonly board: CheckedFinding[] = $derived(acknowledgeBy([...this.#boardFindings, ...this.#boardWordingFindings], this.#acknowledgementByKey))

  /** Every card's findings in board order. */
  readonly #cardFindings: CheckedFinding[] = $derived.by(() => this.#store.assessments.flatMap((a) => this.of(a)))

  /** Every finding on the board: the board's own first, then each card's in board order. */
  readonly all: CheckedFinding[] = $derived([...this.board, ...this.#cardFindings])

  /** How many findings no one has acknowledged. */
  readonly openCount: number = $derived(this.all.reduce((open, f) => (f.acknowledgement === null ? open + 1 : open), 0))

  constructor(store: CheckedBoard) {
    this.#store = store
  }

  /** One assessment's findings, with their acknowledgements: the same array while neither changes. */
  of(assessment: AssessmentModel): CheckedFinding[] {
    const store = this.#store
    const links = store.linksOfAssessment(assessment.id)
    const linked = links.flatMap((link) => {
      const claim = store.claimById.get(link.claimId)
      return [claim, claim && store.sourceById.get(claim.sourceId)]
    })
    const inputs: Inputs = { profile: store.meta.profile, links, linked }
    const byKey = this.#acknowledgementByKey
    const cached = this.#cards.get(assessment)
    if (cached && sameInputs(cached.inputs, inputs)) {
      if (!sameAcknowledgements(cached.checked, byKey)) cached.checked = acknowledgeBy(cached.findings, byKey)
      return cached.checked
    }
    const findings = assessmentFindings(assessment, { profile: inputs.profile, links, claimById: store.claimById, sourceById: store.sourceById })
    const entry = { inputs, findings, checked: acknowledgeBy(findings, byKey) }
    this.#cards.set(assessment, entry)
    return entry.checked
  }
}
