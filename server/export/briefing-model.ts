/**
 * The briefing: everything an exported document says, worked out once from a
 * board model and the version it was taken from. Every renderer (DOCX, PDF,
 * Markdown, HTML) only lays this out, so the formats cannot disagree on a
 * sentence, a footnote number or a grade. Pure: the time comes in `version`.
 */
import type { AssessmentModel, BoardModel, ClaimModel, SourceModel } from '../../shared/board-model.ts'
import {
  ACH_RATING_LABELS,
  ASSESSMENT_KINDS,
  ASSESSMENT_KIND_LABELS,
  ASSESSMENT_STATUS_LABELS,
  CLAIM_CREDIBILITIES,
  CONFIDENCE_LEVELS,
  CONFIDENCE_MEANINGS,
  CREDIBILITY_LABELS,
  IMPACT_LEVELS,
  LIKELIHOOD_BANDS,
  RELIABILITY_LABELS,
  SOURCE_RELIABILITIES,
  admiraltyGrade,
  isContradicting,
  isSupporting,
  likelihoodRange,
  likelihoodTerm,
  profileName,
  riskLevel,
  yardstick,
  type AchRating,
  type AssessmentKind,
  type ConfidenceLevel,
  type ImpactLevel,
  type LikelihoodBand,
  type LikelihoodProfile,
  type RiskLevel,
  type TlpMarking,
  type YardstickRow,
} from '../../shared/domain.ts'
import { checkBoard, type CheckedFinding } from '../../shared/analysis-checks.ts'
import { bandNeedingRestatement, confirmedBand, restatementNeeded, statedProfile } from '../../shared/stated-likelihood.ts'
import { scopeBoard, type ExportScope } from '../../shared/export-scope.ts'
import { buildAch, type BriefingAch } from './briefing-ach.ts'
import { describeChanges } from './briefing-changes.ts'
import {
  briefingChecks,
  retractedSinceOf,
  reviewOf,
  scopeStatement,
  verdictsOf,
  type BriefingChecks,
  type BriefingReview,
  type BriefingScope,
} from './briefing-review.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { dateTimeGroup, preciseTime } from '../../shared/date-time-group.ts'
import { cleanTextIn, mapTextIn } from '../../shared/text-hygiene.ts'
import { oneLine, textLines } from '../../shared/one-line.ts'
import { webLinkHref } from '../../shared/web-link.ts'
import { briefingMarking } from './briefing-marking.ts'
import { isolate, quoted } from '../../shared/bidi.ts'

export type Briefing = {
  title: string
  /** The handling marking as the board states it, printed on every page. */
  marking: string
  /** The TLP level when the marking is one, for colours and STIX marking definitions. */
  tlp: TlpMarking | null
  question: string
  dtg: string
  version: { kind: BriefingVersion['kind']; label: string; time: string; hash: string; description: string }
  /** Which assessments the briefing holds, by review status. */
  scope: BriefingScope
  /** The version's review: its sign-offs, or that it has none. */
  review: BriefingReview
  /** For a snapshot or a past moment: that the live board has been re-marked since, and which marking the briefing carries. */
  remarked: string | null
  /** For a snapshot: what it relied on that has been retracted since. */
  retractedSince: { statement: string; titles: string[] } | null
  bluf: BriefingBluf
  sections: BriefingSection[]
  sources: BriefingSource[]
  grid: RiskGrid
  /** The analytic checks of what the briefing holds: open, and acknowledged with their reasons. */
  checks: BriefingChecks
  /** The ACH matrix, when the briefing holds hypotheses. */
  ach: BriefingAch | null
  appendix: Appendix
  /** What changed since the version's predecessor, a snapshot named with its time in `since`; null when there is none. */
  changes: { since: string; items: string[] } | null
}

/**
 * The bottom line up front: what the analysts wrote for it, in paragraphs; or,
 * while they have not, the key judgments as a list (never run together).
 */
export type BriefingBluf =
  | { kind: 'written'; paragraphs: string[] }
  | { kind: 'key-judgments'; items: string[] }
  | { kind: 'none'; text: string }

/** `note` says how the section is ordered, where that carries meaning. */
export type BriefingSection = { kind: AssessmentKind; heading: string; note: string | null; assessments: BriefingAssessment[] }

export type BriefingAssessment = {
  /** The assessment's id on the board. */
  id: string
  /** Numbered through the briefing; the grid refers to assessments by this number. */
  number: number
  title: string
  band: LikelihoodBand | null
  impact: ImpactLevel | null
  /** The judgment's paragraphs. */
  judgment: string[]
  likelihood: string
  confidence: string
  details: string[]
  /** What the reader must know before relying on it: a retracted claim it relied on. */
  warnings: string[]
  /** A snapshot's reviewers' verdicts on it, oldest first: "Strongly disagree: Rita Reviewer, 071200ZDEC26". */
  verdicts: string[]
  supporting: Citation[]
  contradicting: Citation[]
  /** Cited for the record, not counted for or against the judgment. */
  retracted: Citation[]
}

export type Citation = {
  /** The footnote number, in reading order through the whole briefing. */
  note: number
  /** "NATO (B2)" */
  attribution: string
  /** The earlier note that quotes the claim, which this one refers to rather than quoting it again; null for the claim's first. */
  quotedIn: number | null
  /**
   * The footnote's whole text: attribution, the claim verbatim, its rating and the link's note; a later citation of the
   * same claim names the note that quotes it instead ("NATO (B2), see note 3 — …"), so the briefing grows with its text, not with links × text.
   */
  footnote: string
}

export type BriefingSource = { name: string; kind: string; reliability: string; reliabilityLabel: string; url?: string; claims: number }

export type { RiskLevel }

export type RiskGrid = {
  /** Columns, left to right. */
  impacts: readonly ImpactLevel[]
  /** Rows, top to bottom: the most likely band first. */
  rows: { band: LikelihoodBand; term: string; range: string; cells: { numbers: number[]; risk: RiskLevel }[] }[]
  /** Assessments without a likelihood or an impact, which have no cell. */
  unplaced: number[]
}

export type Appendix = {
  yardstickName: string
  yardstick: YardstickRow[]
  /** Where the board's yardstick was changed (ICD 203 ⇄ PHIA), restating its judgments' ranges: when, and from which; else null. */
  yardstickNote: string | null
  confidence: { level: ConfidenceLevel; meaning: string }[]
  reliability: { grade: string; label: string }[]
  credibility: { grade: string; label: string }[]
}

/** The fixed words of a briefing, so that every format prints the same headings and captions. */
export const BRIEFING_TEXT = {
  dtg: 'Date-time group',
  version: 'Version',
  hash: 'Content hash',
  question: 'Key question',
  bluf: 'Bottom line up front',
  blufFallback: 'The analysts have not written a bottom line; the key judgments:',
  noKeyJudgments: 'No key judgments yet.',
  keyJudgmentOrder: 'Most important first: the order the analysts set on the board.',
  addedByHand: 'added by hand',
  retractedSinceSnapshot: 'retracted since this snapshot',
  analystNote: 'Analyst’s note',
  scope: 'Contents',
  review: 'Review',
  checks: 'Analytic checks',
  openChecks: 'Open',
  acknowledgedChecks: 'Acknowledged',
  noChecks: 'None: every check passes.',
  warning: 'Warning',
  verdicts: 'Reviewers’ verdicts',
  sections: { 'key-judgment': 'Key judgments', assessment: 'Assessments', hypothesis: 'Hypotheses' } satisfies Record<AssessmentKind, string>,
  grid: 'Likelihood and impact',
  gridCaption: 'Figure 1. Assessments by likelihood (rows) and impact (columns); the numbers are those of the assessments below.',
  gridCorner: 'Likelihood',
  unplaced: 'Not placed, for want of a likelihood stated under this yardstick or an impact:',
  supporting: 'Supported by',
  contradicting: 'Contradicted by',
  retracted: 'Retracted, not counted',
  see: 'see',
  noteName: (note: number) => `note ${note}`,
  sources: 'Sources',
  sourceColumns: ['Source', 'Kind', 'Reliability', 'Claims'],
  noSources: 'No sources.',
  kindNotStated: 'not stated',
  changes: (since: string) => `Changes since ${since}`,
  noChanges: 'Nothing changed.',
  appendix: 'Appendix: estimative language and source grading',
  yardstick: (name: string) => `Likelihood yardstick: ${name}`,
  yardstickColumns: ['Band', 'Term', 'Probability'],
  yardstickNote: (from: string, dtg: string) =>
    `The likelihood profile was changed from ${from} at ${dtg}: each judgment kept its likelihood band, and the probability it states is this yardstick’s range for that band.`,
  confidence: 'Analytic confidence',
  reliability: 'Source reliability',
  credibility: 'Information credibility',
  notes: 'Notes',
} as const

export type BriefingOptions = { scope?: ExportScope }

/** What a briefing says before its sections, citing no claim: all a STIX bundle's report reads of it. */
export type BriefingFront = Pick<
  Briefing,
  'title' | 'marking' | 'tlp' | 'question' | 'dtg' | 'version' | 'scope' | 'review' | 'remarked' | 'retractedSince' | 'bluf' | 'checks'
>

/**
 * Every text of the briefing is one line (shared/one-line.ts): what a format
 * shows as paragraphs (a judgment, the bottom line) is a list of them. So no
 * title, label, name or note starts a line of its own in any format, where
 * the PDF alone printed a line break a member had typed into one.
 */
export function buildBriefing(input: BoardModel, version: BriefingVersion, options: BriefingOptions = {}): Briefing {
  return mapTextIn(briefingOf(input, version, options), oneLine)
}

function briefingOf(input: BoardModel, version: BriefingVersion, options: BriefingOptions): Briefing {
  const read = readBoard(input, options)
  const { board, scope } = read
  const findings = checkBoard(board)
  // A snapshot's citations of claims the live board has retracted since are marked so, as the live board's retracted ones are.
  const retractedSince = new Set(version.kind === 'snapshot' ? (version.retractedSince?.claims ?? []).map((c) => c.id) : [])
  const sections = buildSections(board, findings, retractedSince, verdictsOf(version))
  const numberOf = numbering(board)
  const claimsPerSource = new Map<string, number>()
  for (const claim of board.claims) claimsPerSource.set(claim.sourceId, (claimsPerSource.get(claim.sourceId) ?? 0) + 1)
  return {
    ...frontOf(read, version, findings, numberOf),
    sections,
    sources: board.sources.map((source) => ({
      name: source.name,
      kind: source.kind.trim() || BRIEFING_TEXT.kindNotStated,
      reliability: source.reliability,
      reliabilityLabel: RELIABILITY_LABELS[source.reliability],
      ...(source.url ? { url: webLinkHref(source.url) ?? source.url } : {}),
      claims: claimsPerSource.get(source.id) ?? 0,
    })),
    grid: riskGrid(board.profile, sections),
    ach: buildAch(board, numberOf),
    appendix: {
      yardstickName: profileName(board.profile),
      yardstick: yardstick(board.profile),
      yardstickNote: board.yardstickChange ? BRIEFING_TEXT.yardstickNote(profileName(board.yardstickChange.from), dateTimeGroup(board.yardstickChange.at)) : null,
      confidence: CONFIDENCE_LEVELS.map((level) => ({ level, meaning: CONFIDENCE_MEANINGS[level] })),
      reliability: SOURCE_RELIABILITIES.map((grade) => ({ grade, label: RELIABILITY_LABELS[grade] })),
      credibility: CLAIM_CREDIBILITIES.map((grade) => ({ grade: String(grade), label: CREDIBILITY_LABELS[grade] })),
    },
    // Both sides in the briefing's scope: a change to an assessment it leaves out is not told, nor its title named.
    changes: version.previous
      ? {
          since: `snapshot ${quoted(version.previous.label)} of ${dateTimeGroup(version.previous.createdAt)}`,
          items: describeChanges(scopeBoard(cleanTextIn(version.previous.model), scope), board),
        }
      : null,
  }
}

/** The briefing's front alone, without building its sections (their citations), its tables or what changed. */
export function buildBriefingFront(input: BoardModel, version: BriefingVersion, options: BriefingOptions = {}): BriefingFront {
  const read = readBoard(input, options)
  return mapTextIn(frontOf(read, version, checkBoard(read.board), numbering(read.board)), oneLine)
}

type ReadBoard = { whole: BoardModel; board: BoardModel; scope: ExportScope }

function readBoard(input: BoardModel, options: BriefingOptions): ReadBoard {
  const whole = cleanTextIn(input)
  const scope = options.scope ?? 'all'
  return { whole, board: scopeBoard(whole, scope), scope }
}

function frontOf({ whole, board, scope }: ReadBoard, version: BriefingVersion, findings: readonly CheckedFinding[], numberOf: (id: string) => number): BriefingFront {
  const time = version.kind === 'snapshot' ? version.createdAt : version.at
  return {
    title: board.title,
    ...briefingMarking(board.marking, version),
    question: board.question,
    dtg: dateTimeGroup(time),
    version: {
      kind: version.kind,
      label: version.kind === 'snapshot' ? version.label : version.kind === 'as-of' ? `board as of ${preciseTime(time)}` : 'live board',
      time,
      hash: version.hash,
      description:
        version.kind === 'snapshot'
          ? `Snapshot ${quoted(version.label)} of ${dateTimeGroup(time)}`
          : version.kind === 'as-of'
            ? `Board as it was at ${preciseTime(time)}, from its history${version.exact || version.asOf === version.at ? '' : ` (the nearest moment kept before ${preciseTime(version.asOf)})`}`
            : `Live board as of ${dateTimeGroup(time)}`,
    },
    scope: scopeStatement(scope, board.assessments.length, whole.assessments.length),
    review: reviewOf(version),
    retractedSince: retractedSinceOf(version),
    bluf: bottomLine(board),
    checks: briefingChecks(board, findings, numberOf),
  }
}

/** Each assessment's number in the briefing, as its sections print them (0 for one it does not hold). */
function numbering(board: BoardModel): (id: string) => number {
  const numbers = new Map(assessmentsByKind(board).flatMap(({ assessments }) => assessments).map((a, i) => [a.id, i + 1] as const))
  return (id) => numbers.get(id) ?? 0
}

/**
 * What the briefing says of itself under its title, label by label, in the
 * order the Word and PDF renderers print it (the key question only when the
 * board has one).
 */
export function headerFacts(b: Briefing): { label: string; value: string }[] {
  return [
    { label: BRIEFING_TEXT.dtg, value: b.dtg },
    { label: BRIEFING_TEXT.version, value: b.version.description },
    { label: BRIEFING_TEXT.hash, value: b.version.hash },
    ...(b.question ? [{ label: BRIEFING_TEXT.question, value: b.question }] : []),
    { label: BRIEFING_TEXT.scope, value: b.scope.statement },
    { label: BRIEFING_TEXT.review, value: b.review.statement },
  ]
}

/** An assessment's citations in note order: supporting, contradicting, retracted. */
export function citationsOf(assessment: BriefingAssessment): Citation[] {
  return [...assessment.supporting, ...assessment.contradicting, ...assessment.retracted]
}

/** Every citation of the briefing, in note order. */
export function allCitations(briefing: Briefing): Citation[] {
  return briefing.sections.flatMap((section) => section.assessments.flatMap(citationsOf))
}

/**
 * The likelihood sentence, in the board's wording row with its range. It never
 * mentions confidence: ICD 203 keeps the two in separate sentences. A band
 * stated under another yardstick than the board's (shared/stated-likelihood.ts)
 * is given in its author's words and flagged, never in the board's words as if
 * someone had confirmed them.
 */
export function likelihoodSentence(profile: LikelihoodProfile, assessment: Pick<AssessmentModel, 'likelihood' | 'likelihoodYardstick'>): string {
  const band = assessment.likelihood
  if (band === null) return 'Likelihood has not been assessed.'
  if (bandNeedingRestatement(assessment, profile) !== null) return `The ${restatementNeeded(band, statedProfile(assessment, profile), profile)}.`
  return `We assess the likelihood as ${likelihoodTerm(profile, band)} (${likelihoodRange(profile, band)}).`
}

export function confidenceSentence(level: ConfidenceLevel | null): string {
  if (level === null) return 'Confidence has not been assessed.'
  return `We have ${level} confidence in this judgment.`
}

/** Key judgments, then assessments, then hypotheses: the conclusion first, each group in board order. */
function assessmentsByKind(board: BoardModel): { kind: AssessmentKind; assessments: AssessmentModel[] }[] {
  return ASSESSMENT_KINDS.map((kind) => ({ kind, assessments: board.assessments.filter((a) => a.kind === kind) })).filter(
    (group) => group.assessments.length > 0,
  )
}

function buildSections(
  board: BoardModel,
  findings: readonly CheckedFinding[],
  retractedSince: ReadonlySet<string>,
  verdicts: ReadonlyMap<string, string[]>,
): BriefingSection[] {
  const warningsOf = new Map<string, string[]>()
  for (const finding of findings) {
    if (finding.rule !== 'retracted-support' || finding.subject.kind !== 'assessment') continue
    const warnings = warningsOf.get(finding.subject.id)
    if (warnings) warnings.push(finding.message)
    else warningsOf.set(finding.subject.id, [finding.message])
  }
  const sources = new Map(board.sources.map((s) => [s.id, s]))
  const claims = new Map(board.claims.map((c) => [c.id, c]))
  const linksOf = new Map<string, BoardModel['links']>()
  for (const link of board.links) {
    const links = linksOf.get(link.assessmentId)
    if (links) links.push(link)
    else linksOf.set(link.assessmentId, [link])
  }

  let number = 0
  let note = 0
  // Each claim is quoted once, in its first note; a citation of it after refers to that note.
  const quotedIn = new Map<string, number>()
  const cite = ({ link, claim, source }: { link: BoardModel['links'][number]; claim: ClaimModel; source: SourceModel }) => {
    note += 1
    const first = quotedIn.get(claim.id) ?? null
    if (first === null) quotedIn.set(claim.id, note)
    return citation(note, first, claim, source, link.rating, link.note, retractedSince.has(claim.id))
  }
  return assessmentsByKind(board).map(({ kind, assessments }) => ({
    kind,
    heading: BRIEFING_TEXT.sections[kind],
    note: kind === 'key-judgment' ? BRIEFING_TEXT.keyJudgmentOrder : null,
    assessments: assessments.map((assessment) => {
      const cited = (linksOf.get(assessment.id) ?? []).flatMap((link) => {
        const claim = claims.get(link.claimId)
        const source = claim && sources.get(claim.sourceId)
        return claim && source ? [{ link, claim, source }] : []
      })
      const active = cited.filter(({ claim }) => claim.status === 'active')
      // Numbered in the order they are printed: supporting, contradicting, retracted.
      const supporting = active.filter(({ link }) => isSupporting(link.rating)).map(cite)
      const contradicting = active.filter(({ link }) => isContradicting(link.rating)).map(cite)
      const retracted = cited
        .filter(({ link, claim }) => claim.status === 'retracted' && (isSupporting(link.rating) || isContradicting(link.rating)))
        .map(cite)
      return {
        id: assessment.id,
        number: ++number,
        title: assessment.title,
        // A band awaiting restatement has no row of this yardstick: the grid lists it unplaced.
        band: confirmedBand(assessment, board.profile),
        impact: assessment.impact,
        judgment: paragraphs(assessment.judgment),
        likelihood: likelihoodSentence(board.profile, assessment),
        confidence: confidenceSentence(assessment.confidence),
        details: details(assessment),
        warnings: warningsOf.get(assessment.id) ?? [],
        verdicts: verdicts.get(assessment.id) ?? [],
        supporting,
        contradicting,
        retracted,
      }
    }),
  }))
}

/**
 * A claim's citation: its first quotes it, with what the analysts said of the claim; one after (`quotedIn`, the first's
 * note) refers to that note and says only what is the link's own: its rating and note.
 */
function citation(
  note: number,
  quotedIn: number | null,
  claim: ClaimModel,
  source: SourceModel,
  rating: AchRating,
  linkNote: string | undefined,
  retractedSince: boolean,
): Citation {
  const attribution = `${isolate(source.name)} (${admiraltyGrade(source.reliability, claim.credibility)})`
  const retracted = claim.status === 'retracted' ? ' (retracted)' : retractedSince ? ` (${BRIEFING_TEXT.retractedSinceSnapshot})` : ''
  const bearing = `${retracted} — ${ACH_RATING_LABELS[rating]} (${rating}).${linkNote?.trim() ? ` ${isolate(linkNote.trim())}` : ''}`
  if (quotedIn !== null) return { note, attribution, quotedIn, footnote: `${referring(attribution)}${BRIEFING_TEXT.noteName(quotedIn)}${bearing}` }
  // Only an imported claim is the source's own words; one typed by an analyst says so.
  const byHand = claim.documentId === undefined ? ` (${BRIEFING_TEXT.addedByHand})` : ''
  const analystNote = claim.note?.trim() ? ` ${BRIEFING_TEXT.analystNote}: ${isolate(claim.note.trim())}` : ''
  return { note, attribution, quotedIn, footnote: `${attribution}: “${isolate(claim.text)}”${byHand}${bearing}${analystNote}` }
}

/** What a later citation of a claim says before the name of the note it refers to: "NATO (B2), see ". */
const referring = (attribution: string) => `${attribution}, ${BRIEFING_TEXT.see} `

/** A later citation's footnote around the name of the note that quotes its claim ("note 3"), which a format that can links to that note. */
export type NoteReference = { before: string; name: string; after: string; to: number }

/**
 * The footnote of a citation that refers to an earlier note, split around that
 * note's name as `citation` wrote it; null for a claim's first citation. Split
 * here rather than kept in the model: the model's text is what BRIEFING_MAX_CHARS
 * counts, and the footnote stays whole for the formats that print it as it is.
 */
export function noteReference(c: Citation): NoteReference | null {
  if (c.quotedIn === null) return null
  const before = referring(c.attribution)
  const name = BRIEFING_TEXT.noteName(c.quotedIn)
  return { before, name, after: c.footnote.slice(before.length + name.length), to: c.quotedIn }
}

function details(assessment: AssessmentModel): string[] {
  return [
    `Impact: ${assessment.impact ?? 'not assessed'}`,
    `Status: ${ASSESSMENT_STATUS_LABELS[assessment.status]}`,
    ...(assessment.tags.length > 0 ? [`Tags: ${assessment.tags.map(isolate).join(', ')}`] : []),
  ]
}

function paragraphs(text: string): string[] {
  return textLines(text)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
}

/**
 * What the analysts wrote as the bottom line; while they have not, the key
 * judgments, each with its likelihood, as a list (a paragraph of sixteen titles
 * run together reads as one sentence nobody can follow).
 */
function bottomLine(board: BoardModel): BriefingBluf {
  const written = paragraphs(board.bluf ?? '')
  if (written.length > 0) return { kind: 'written', paragraphs: written }
  const keyJudgments = board.assessments.filter((a) => a.kind === 'key-judgment')
  if (keyJudgments.length === 0) return { kind: 'none', text: BRIEFING_TEXT.noKeyJudgments }
  return {
    kind: 'key-judgments',
    items: keyJudgments.map((a) => {
      const title = a.title.trim().replace(/[.;:,]+$/, '') || ASSESSMENT_KIND_LABELS[a.kind]
      const unconfirmed = bandNeedingRestatement(a, board.profile)
      const likelihood =
        a.likelihood === null
          ? 'likelihood not assessed'
          : unconfirmed !== null
            ? restatementNeeded(unconfirmed, statedProfile(a, board.profile), board.profile)
            : `${likelihoodTerm(board.profile, a.likelihood)} (${likelihoodRange(board.profile, a.likelihood)})`
      return `${isolate(title)}: ${likelihood}.`
    }),
  }
}

/** The BLUF as plain text: its paragraphs, or its list one item a line (STIX, summaries). */
export function blufText(bluf: BriefingBluf): string {
  if (bluf.kind === 'written') return bluf.paragraphs.join('\n\n')
  if (bluf.kind === 'none') return bluf.text
  return [BRIEFING_TEXT.blufFallback, ...bluf.items.map((item) => `- ${item}`)].join('\n')
}

/**
 * Shading of a grid cell by likelihood band × impact level (7 × 5 at most):
 * the usual three-colour risk matrix, high from 20 up, medium from 8.
 */
function riskGrid(profile: LikelihoodProfile, sections: BriefingSection[]): RiskGrid {
  const assessments = sections.flatMap((section) => section.assessments)
  const rows = [...LIKELIHOOD_BANDS].reverse().map((band) => ({
    band,
    term: likelihoodTerm(profile, band),
    range: likelihoodRange(profile, band),
    cells: IMPACT_LEVELS.map((impact) => ({
      numbers: assessments.filter((a) => a.band === band && a.impact === impact).map((a) => a.number),
      risk: riskLevel(band, impact),
    })),
  }))
  const unplaced = assessments.filter((a) => a.band === null || a.impact === null).map((a) => a.number)
  return { impacts: IMPACT_LEVELS, rows, unplaced }
}
