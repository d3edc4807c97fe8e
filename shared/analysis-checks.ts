/**
 * Checks on the analysis itself (check-rules.ts lists the rules): pure
 * functions of the board model, so the board in the browser, the API and the
 * briefing find the same things. Each finding names its rule, what it is
 * about, the exact words at fault (a character range in an assessment's title
 * or judgment, or in the board's key question or bottom line up front) and the
 * claims concerned, and has a stable key: an editor's
 * acknowledgement refers to that key, and stops applying when the words at
 * fault change.
 */
import { evidenceSummary, LONE_HYPOTHESIS_NOTE } from './ach.ts'
import { isolate, quoted } from './bidi.ts'
import { countedAndSetAside, pairKey } from './link-pairs.ts'
import type { AcknowledgementModel, AssessmentModel, ClaimModel, LinkModel, SourceModel, UnrecognisedField } from './board-model.ts'
import { CHECK_RULE_IDS, CHECK_RULES, type CheckRuleId } from './check-rules.ts'
import {
  admiraltyGrade,
  isSupporting,
  likelihoodRange,
  likelihoodTerm,
  profileName,
  yardstickOf,
  type LikelihoodBand,
  type LikelihoodProfile,
} from './domain.ts'
import { bandNeedingRestatement, restatementNeeded, statedProfile } from './stated-likelihood.ts'
import { readEstimativeLanguage, sentences, type EstimativeTerm, type LikelihoodMention, type Span } from './estimative-language.ts'
import { spanHolding } from './span-holding.ts'

export type TextField = 'title' | 'judgment'
export const TEXT_FIELDS = ['title', 'judgment'] as const satisfies readonly TextField[]

/** The board's own free texts the estimative-language rules read: the analysts write in them as in a judgment. */
export type BoardTextField = 'question' | 'bluf'
export const BOARD_TEXT_FIELDS = ['question', 'bluf'] as const satisfies readonly BoardTextField[]

export type FaultField = TextField | BoardTextField

/** How a finding names the text its words are in: "in the bottom line up front". */
export const FAULT_FIELD_NAMES: Record<FaultField, string> = {
  title: 'title',
  judgment: 'judgment',
  question: 'key question',
  bluf: 'bottom line up front',
}

/** Words at fault: a range of an assessment's title or judgment, or of the board's key question or bottom line. */
export type Fault = { field: FaultField; start: number; end: number; text: string }

/** What a finding is about: an assessment, or the board, and then which of its texts if the finding is about its words. */
export type FindingSubject = { kind: 'assessment'; id: string } | { kind: 'board'; field?: BoardTextField }

export type Finding = {
  /** Stable while the same words are at fault: what an acknowledgement refers to. */
  key: string
  rule: CheckRuleId
  label: string
  /** What is wrong here, in a sentence. */
  message: string
  subject: FindingSubject
  faults: Fault[]
  claimIds: string[]
}

export type CheckedFinding = Finding & { acknowledgement: AcknowledgementModel | null }

export type CheckBoard = {
  profile: LikelihoodProfile
  /** The key question and the bottom line up front; absent or empty, nothing to read. */
  question?: string
  bluf?: string
  /** In board order. */
  assessments: readonly AssessmentModel[]
  claims: readonly ClaimModel[]
  sources: readonly SourceModel[]
  links: readonly LinkModel[]
  acknowledgements?: readonly AcknowledgementModel[]
  /** Fields read as not assessed because the board holds no value their schema recognises there (board-convert.ts). */
  unrecognised?: readonly UnrecognisedField[]
  /** Links set aside because an earlier link rates their claim against their assessment (link-pairs.ts). */
  setAsideLinks?: readonly LinkModel[]
}

/** What the checks of one assessment read besides the assessment itself. */
export type AssessmentContext = {
  profile: LikelihoodProfile
  links: readonly LinkModel[]
  claimById: ReadonlyMap<string, ClaimModel>
  sourceById: ReadonlyMap<string, SourceModel>
}

const WEAK_RELIABILITIES: ReadonlySet<string> = new Set(['E', 'F'])
const WEAK_CREDIBILITIES: ReadonlySet<number> = new Set([5, 6])

function finding(rule: CheckRuleId, subject: FindingSubject, detail: string[], message: string, faults: Fault[] = [], claimIds: string[] = []): Finding {
  const subjectKey = subject.kind === 'board' ? 'board' : subject.id
  return { key: [rule, subjectKey, ...detail].join(':'), rule, label: CHECK_RULES[rule].label, message, subject, faults, claimIds }
}

const quote = (text: string) => `“${text}”`

/** A claim's words as a finding quotes them: up to 90 characters, cut between characters, never inside a surrogate pair. */
function excerpt(text: string): string {
  const characters = Array.from(text)
  return characters.length > 90 ? `${characters.slice(0, 90).join('')}…` : text
}

/** The distinct canonical phrases of some mentions, sorted: the stable part of a text finding's key. */
function phrasesOf(mentions: readonly { phrase: string }[]): string {
  return [...new Set(mentions.map((m) => m.phrase))].sort().join('|')
}

function yardsticksOf(term: EstimativeTerm): string {
  return term.yardsticks.map(profileName).join(' and ')
}

/**
 * The findings in one text of an assessment: its estimative words against
 * its likelihood band and the board's wording, and likelihood and confidence
 * kept apart. The judgment editor runs this on its own text as it changes.
 */
export function textFindings(assessmentId: string, field: TextField, text: string, band: LikelihoodBand | null, profile: LikelihoodProfile): Finding[] {
  return wordingFindings({ kind: 'assessment', id: assessmentId }, field, text, band, profile)
}

/**
 * The findings in one of the board's own texts: it states no band, so only
 * its wording row and likelihood kept apart from confidence are checked.
 */
export function boardTextFindings(field: BoardTextField, text: string, profile: LikelihoodProfile): Finding[] {
  return wordingFindings({ kind: 'board', field }, field, text, null, profile)
}

/** The estimative-language rules on one text, about `subject`; `band`, where the subject states one, is checked against the words. */
function wordingFindings(subject: FindingSubject, field: FaultField, text: string, band: LikelihoodBand | null, profile: LikelihoodProfile): Finding[] {
  const reading = readEstimativeLanguage(text)
  const fault = (span: Span): Fault => ({ field, start: span.start, end: span.end, text: span.text })
  const findings: Finding[] = []

  if (band !== null) {
    const contradicting = reading.likelihood.filter((m) => (m.negated ? m.term.band === band : m.term.band !== band))
    if (contradicting.length > 0) {
      const said = contradicting.map((m) =>
        m.negated ? `${quote(m.text)} is negated: it denies ${likelihoodRange(profile, m.term.band)}` : `${quote(m.text)} means ${likelihoodRange(profile, m.term.band)}`,
      )
      findings.push(
        finding(
          'likelihood-contradicted',
          subject,
          [field, `band${band}`, phrasesOf(contradicting.map(keyPhrase))],
          `${said.join('; ')}; the likelihood is set to ${likelihoodTerm(profile, band)} (${likelihoodRange(profile, band)}).`,
          contradicting.map(fault),
        ),
      )
    }
  }

  const foreign = reading.likelihood.filter((m) => !m.term.yardsticks.includes(profile))
  if (foreign.length > 0) {
    const said = foreign.map((m) => `${quote(m.text)} is ${yardsticksOf(m.term)} wording (here: ${quote(likelihoodTerm(profile, m.term.band))})`)
    findings.push(
      finding(
        'mixed-wording',
        subject,
        [field, phrasesOf(foreign.map((m) => m.term))],
        `${said.join('; ')}; this board uses ${profileName(profile)}.`,
        foreign.map(fault),
      ),
    )
  }

  // Sentences are found only where both kinds of term stand: segmenting every text would cost more than all the rest.
  const both = reading.likelihood.length > 0 && reading.confidence.length > 0
  const mixedSentences = both ? sentencesWithBoth(text, reading.likelihood, reading.confidence) : []
  if (mixedSentences.length > 0) {
    const spans = mixedSentences.flatMap((s) => [...s.likelihood, ...s.confidence]).sort((a, b) => a.start - b.start)
    const pairs = mixedSentences.map((s) => `${s.likelihood.map((m) => quote(m.text)).join(', ')} with ${s.confidence.map((c) => quote(c.text)).join(', ')}`)
    findings.push(
      finding(
        'likelihood-with-confidence',
        subject,
        [field, phrasesOf(spans.map((s) => ({ phrase: s.text.toLowerCase().replace(/[\s\-\u2010-\u2013]+/gu, ' ') })))],
        `${pairs.join('; ')} in one sentence: state the likelihood and the confidence in separate sentences.`,
        spans.map(fault),
      ),
    )
  }
  return findings
}

/**
 * The sentences that hold both a likelihood and a confidence, in order, with
 * their mentions of each. Each mention finds its sentence by binary search:
 * filtering every mention for each sentence cost their product.
 */
function sentencesWithBoth(text: string, likelihood: readonly LikelihoodMention[], confidence: readonly Span[]): { likelihood: LikelihoodMention[]; confidence: Span[] }[] {
  const all = sentences(text)
  const bySentence = new Map<number, { likelihood: LikelihoodMention[]; confidence: Span[] }>()
  const of = (span: Span) => {
    const index = spanHolding(all, span.start)
    let mentions = bySentence.get(index)
    if (!mentions) bySentence.set(index, (mentions = { likelihood: [], confidence: [] }))
    return mentions
  }
  for (const mention of likelihood) of(mention).likelihood.push(mention)
  for (const mention of confidence) of(mention).confidence.push(mention)
  return [...bySentence.entries()]
    .filter(([, mentions]) => mentions.likelihood.length > 0 && mentions.confidence.length > 0)
    .sort(([a], [b]) => a - b)
    .map(([, mentions]) => mentions)
}

function keyPhrase(mention: LikelihoodMention): { phrase: string } {
  return { phrase: mention.negated ? `not ${mention.term.phrase}` : mention.term.phrase }
}

/** Every finding about one assessment, its texts' included. */
export function assessmentFindings(
  assessment: AssessmentModel,
  context: AssessmentContext,
  readText: (assessment: AssessmentModel, field: TextField, profile: LikelihoodProfile) => Finding[] = (a, field, profile) =>
    textFindings(a.id, field, a[field], a.likelihood, profile),
): Finding[] {
  const subject: FindingSubject = { kind: 'assessment', id: assessment.id }
  const { profile } = context
  const findings: Finding[] = []
  const rated = assessment.kind !== 'hypothesis'

  if (rated && assessment.likelihood === null) findings.push(finding('no-likelihood', subject, [], 'No likelihood is set.'))
  const unconfirmed = bandNeedingRestatement(assessment, profile)
  if (unconfirmed !== null) {
    const stated = statedProfile(assessment, profile)
    // The key names the band and its yardstick: an acknowledgement lapses once either changes.
    findings.push(finding('likelihood-needs-restatement', subject, [String(unconfirmed), yardstickOf(stated)], `The ${restatementNeeded(unconfirmed, stated, profile)}.`))
  }
  if (rated && assessment.confidence === null) findings.push(finding('no-confidence', subject, [], 'No analytic confidence is set.'))

  const supporting = context.links
    .filter((link) => isSupporting(link.rating))
    .flatMap((link) => {
      const claim = context.claimById.get(link.claimId)
      const source = claim && context.sourceById.get(claim.sourceId)
      return claim && source ? [{ claim, source }] : []
    })
  const active = supporting.filter(({ claim }) => claim.status === 'active')
  const retracted = supporting.filter(({ claim }) => claim.status === 'retracted')

  if (assessment.kind === 'key-judgment' && active.length === 0) {
    findings.push(
      finding(
        'unsupported-key-judgment',
        subject,
        [],
        retracted.length > 0 ? 'Every claim that supported this key judgment has been retracted.' : 'No claim supports this key judgment.',
      ),
    )
  }

  for (const field of TEXT_FIELDS) findings.push(...readText(assessment, field, profile))

  const weak = ({ claim, source }: { claim: ClaimModel; source: SourceModel }) =>
    WEAK_RELIABILITIES.has(source.reliability) || WEAK_CREDIBILITIES.has(claim.credibility)
  if (rated && active.length > 0 && active.every(weak)) {
    const grades = active.map(({ claim, source }) => `${isolate(source.name)} (${admiraltyGrade(source.reliability, claim.credibility)})`)
    findings.push(
      finding(
        'weak-sources-only',
        subject,
        [],
        `${active.length === 1 ? 'Its one supporting claim is' : `All ${active.length} supporting claims are`} weakly graded: ${grades.join(', ')}.`,
        [],
        active.map(({ claim }) => claim.id),
      ),
    )
  }

  for (const { claim, source } of retracted) {
    findings.push(
      finding(
        'retracted-support',
        subject,
        [claim.id],
        `Relies on a claim since retracted: ${isolate(source.name)} (${admiraltyGrade(source.reliability, claim.credibility)}) ${quoted(excerpt(claim.text))}.`,
        [],
        [claim.id],
      ),
    )
  }
  return sortByRule(findings)
}

/** The findings about the board's own words: its key question and bottom line up front. */
export function boardWordingFindings(board: Pick<CheckBoard, 'profile' | 'question' | 'bluf'>): Finding[] {
  return BOARD_TEXT_FIELDS.flatMap((field) => boardTextFindings(field, board[field] ?? '', board.profile))
}

/** The findings about the board as a whole but its words (boardWordingFindings). */
export function boardFindings(board: CheckBoard): Finding[] {
  const subject: FindingSubject = { kind: 'board' }
  const findings: Finding[] = []
  if (board.assessments.length > 0 && !board.assessments.some((a) => a.kind === 'key-judgment')) {
    findings.push(finding('no-key-judgment', subject, [], 'The board has no key judgment: mark the conclusions that brief a reader as key judgments.'))
  }
  const hypotheses = board.assessments.filter((a) => a.kind === 'hypothesis')
  if (hypotheses.length === 1) {
    findings.push(finding('lone-hypothesis', subject, [], `The board has one hypothesis. ${LONE_HYPOTHESIS_NOTE}`))
  } else if (hypotheses.length >= 2) {
    const evidence = evidenceSummary(board)
    if (!evidence.diagnostic) {
      const rated = evidence.claimIds.length
      findings.push(
        finding(
          'no-diagnostic-evidence',
          subject,
          [],
          rated === 0
            ? `No evidence is rated against the ${hypotheses.length} hypotheses yet.`
            : `None of the ${rated} claims rated against the ${hypotheses.length} hypotheses is rated differently across them: nothing yet helps choose.`,
          [],
          evidence.claimIds,
        ),
      )
    }
  }
  for (const field of board.unrecognised ?? []) findings.push(...unrecognisedValueFinding(board, field))
  findings.push(...twoRatingsFindings(board))
  return findings
}

/**
 * One finding per pair of a claim and an assessment rated more than once: which rating counts, which are set
 * aside, so that an editor keeps one rather than an analyst's rating vanishing unseen. None for a pair the
 * board checked leaves out (an export's scope).
 */
function twoRatingsFindings(board: CheckBoard): Finding[] {
  if (!board.setAsideLinks || board.setAsideLinks.length === 0) return []
  const setAsideOf = new Map<string, LinkModel[]>()
  for (const link of board.setAsideLinks) {
    const key = pairKey(link)
    const links = setAsideOf.get(key)
    if (links) links.push(link)
    else setAsideOf.set(key, [link])
  }
  const claimById = new Map(board.claims.map((c) => [c.id, c]))
  const assessmentById = new Map(board.assessments.map((a) => [a.id, a]))
  return board.links.flatMap((kept) => {
    const setAside = setAsideOf.get(pairKey(kept))
    const claim = claimById.get(kept.claimId)
    const assessment = assessmentById.get(kept.assessmentId)
    if (!setAside || !claim || !assessment) return []
    const message =
      `${quoted(assessment.title || 'Untitled')} rates the claim ${quoted(excerpt(claim.text))} ${setAside.length + 1} times: ` +
      `${countedAndSetAside(kept, setAside)}. Keep one rating.`
    return [finding('two-ratings', { kind: 'board' }, [assessment.id, claim.id, ...setAside.map((l) => l.id)], message, [], [claim.id])]
  })
}

/**
 * A field that reads as not assessed, named so that an editor finds and sets
 * it; none for an entity the board checked leaves out (an export's scope).
 */
function unrecognisedValueFinding(board: CheckBoard, { collection, id, field }: UnrecognisedField): Finding[] {
  const held: readonly (SourceModel | ClaimModel | AssessmentModel | LinkModel)[] =
    collection === 'sources' ? board.sources : collection === 'claims' ? board.claims : collection === 'assessments' ? board.assessments : collection === 'links' ? board.links : []
  const named = held.find((e) => e.id === id)
  if (!named) return []
  const name = 'name' in named ? named.name : 'title' in named ? named.title : 'text' in named ? named.text : id
  const message = `The ${collection.slice(0, -1)} ${quoted(name)} holds a ${field} the board does not recognise: it reads as not assessed until an editor sets it.`
  return [finding('unrecognised-value', { kind: 'board' }, [collection, id, field], message, [], collection === 'claims' ? [id] : [])]
}

export function contextOf(board: CheckBoard): (assessmentId: string) => AssessmentContext {
  const claimById = new Map(board.claims.map((c) => [c.id, c]))
  const sourceById = new Map(board.sources.map((s) => [s.id, s]))
  const linksOf = new Map<string, LinkModel[]>()
  for (const link of board.links) {
    const links = linksOf.get(link.assessmentId)
    if (links) links.push(link)
    else linksOf.set(link.assessmentId, [link])
  }
  return (id) => ({ profile: board.profile, links: linksOf.get(id) ?? [], claimById, sourceById })
}

/** Every finding on the board, the board's own first, then each assessment's in board order, with its acknowledgement if any. */
export function checkBoard(board: CheckBoard): CheckedFinding[] {
  const context = contextOf(board)
  const findings = [...boardFindings(board), ...boardWordingFindings(board), ...board.assessments.flatMap((a) => assessmentFindings(a, context(a.id)))]
  return acknowledge(findings, board.acknowledgements ?? [])
}

export function acknowledge(findings: readonly Finding[], acknowledgements: readonly AcknowledgementModel[]): CheckedFinding[] {
  return acknowledgeBy(findings, acknowledgementsByKey(acknowledgements))
}

export function acknowledgementsByKey(acknowledgements: readonly AcknowledgementModel[]): Map<string, AcknowledgementModel> {
  return new Map(acknowledgements.map((a) => [a.key, a]))
}

/** The findings with their acknowledgements, looked up by key: what a change to the acknowledgements alone costs. */
export function acknowledgeBy(findings: readonly Finding[], byKey: ReadonlyMap<string, AcknowledgementModel>): CheckedFinding[] {
  return findings.map((f) => ({ ...f, acknowledgement: byKey.get(f.key) ?? null }))
}

function sortByRule(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => CHECK_RULE_IDS.indexOf(a.rule) - CHECK_RULE_IDS.indexOf(b.rule))
}
