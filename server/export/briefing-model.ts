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
  tlpOf,
  yardstick,
  type AchRating,
  type AssessmentKind,
  type ConfidenceLevel,
  type ImpactLevel,
  type LikelihoodBand,
  type LikelihoodProfile,
  type ReviewVerdict,
  type RiskLevel,
  type TlpMarking,
  type YardstickRow,
} from '../../shared/domain.ts'
import type { RetractedSince } from '../../shared/retracted-since.ts'
import type { SignoffDecision } from '../../shared/snapshot-model.ts'
import { describeChanges } from './briefing-changes.ts'
import { dateTimeGroup, readableTime } from '../../shared/date-time-group.ts'
import { cleanTextIn } from '../../shared/text-hygiene.ts'

/** A reviewer's verdict on one assessment of a snapshot (review data lives beside the snapshot, not in the model). */
export type BriefingVerdict = { assessmentId: string; reviewerId: string; verdict: ReviewVerdict; createdAt: string }

/** A reviewer's sign-off of a snapshot: the version a director is asked to sign. */
export type BriefingSignoff = { reviewerName: string; decision: SignoffDecision; note: string; createdAt: string }

/** The version a briefing is made from: a named snapshot, or the live board at a moment. */
export type BriefingVersion =
  | {
      kind: 'snapshot'
      label: string
      hash: string
      createdAt: string
      previous?: { model: BoardModel; label: string }
      verdicts?: BriefingVerdict[]
      signoffs?: BriefingSignoff[]
      /** What the snapshot relied on that the live board has retracted since. */
      retractedSince?: RetractedSince
    }
  | { kind: 'live'; at: string; hash: string }

export type Briefing = {
  title: string
  /** The handling marking as the board states it, printed on every page. */
  marking: string
  /** The TLP level when the marking is one, for colours and STIX marking definitions. */
  tlp: TlpMarking | null
  question: string
  dtg: string
  version: { kind: BriefingVersion['kind']; label: string; time: string; hash: string; description: string }
  bluf: string
  sections: BriefingSection[]
  sources: BriefingSource[]
  grid: RiskGrid
  appendix: Appendix
  changes: { since: string; items: string[] } | null
}

export type BriefingSection = { kind: AssessmentKind; heading: string; assessments: BriefingAssessment[] }

export type BriefingAssessment = {
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
  /** The footnote's whole text: attribution, the claim verbatim, its rating and the link's note. */
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
  sections: { 'key-judgment': 'Key judgments', assessment: 'Assessments', hypothesis: 'Hypotheses' } satisfies Record<AssessmentKind, string>,
  grid: 'Likelihood and impact',
  gridCaption: 'Figure 1. Assessments by likelihood (rows) and impact (columns); the numbers are those of the assessments below.',
  gridCorner: 'Likelihood',
  unplaced: 'Not placed, for want of a likelihood or an impact:',
  supporting: 'Supported by',
  contradicting: 'Contradicted by',
  retracted: 'Retracted, not counted',
  sources: 'Sources',
  sourceColumns: ['Source', 'Kind', 'Reliability', 'Claims'],
  changes: (since: string) => `Changes since ${since}`,
  noChanges: 'Nothing changed.',
  appendix: 'Appendix: estimative language and source grading',
  yardstick: (name: string) => `Likelihood yardstick: ${name}`,
  yardstickColumns: ['Band', 'Term', 'Probability'],
  confidence: 'Analytic confidence',
  reliability: 'Source reliability',
  credibility: 'Information credibility',
  notes: 'Notes',
} as const

export function buildBriefing(input: BoardModel, version: BriefingVersion): Briefing {
  const board = cleanTextIn(input)
  const time = version.kind === 'snapshot' ? version.createdAt : version.at
  const sections = buildSections(board)
  const claimsPerSource = new Map<string, number>()
  for (const claim of board.claims) claimsPerSource.set(claim.sourceId, (claimsPerSource.get(claim.sourceId) ?? 0) + 1)
  return {
    title: board.title,
    marking: board.marking,
    tlp: tlpOf(board.marking),
    question: board.question,
    dtg: dateTimeGroup(time),
    version: {
      kind: version.kind,
      label: version.kind === 'snapshot' ? version.label : 'live board',
      time,
      hash: version.hash,
      description:
        version.kind === 'snapshot'
          ? `Snapshot “${version.label}” of ${readableTime(time)}`
          : `Live board as of ${readableTime(time)}`,
    },
    bluf: bottomLine(board),
    sections,
    sources: board.sources.map((source) => ({
      name: source.name,
      kind: source.kind,
      reliability: source.reliability,
      reliabilityLabel: RELIABILITY_LABELS[source.reliability],
      ...(source.url ? { url: source.url } : {}),
      claims: claimsPerSource.get(source.id) ?? 0,
    })),
    grid: riskGrid(board.profile, sections),
    appendix: {
      yardstickName: profileName(board.profile),
      yardstick: yardstick(board.profile),
      confidence: CONFIDENCE_LEVELS.map((level) => ({ level, meaning: CONFIDENCE_MEANINGS[level] })),
      reliability: SOURCE_RELIABILITIES.map((grade) => ({ grade, label: RELIABILITY_LABELS[grade] })),
      credibility: CLAIM_CREDIBILITIES.map((grade) => ({ grade: String(grade), label: CREDIBILITY_LABELS[grade] })),
    },
    changes:
      version.kind === 'snapshot' && version.previous
        ? { since: version.previous.label, items: describeChanges(cleanTextIn(version.previous.model), board) }
        : null,
  }
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
 * mentions confidence: ICD 203 keeps the two in separate sentences.
 */
export function likelihoodSentence(profile: LikelihoodProfile, band: LikelihoodBand | null): string {
  if (band === null) return 'Likelihood has not been assessed.'
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

function buildSections(board: BoardModel): BriefingSection[] {
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
  return assessmentsByKind(board).map(({ kind, assessments }) => ({
    kind,
    heading: BRIEFING_TEXT.sections[kind],
    assessments: assessments.map((assessment) => {
      const cited = (linksOf.get(assessment.id) ?? []).flatMap((link) => {
        const claim = claims.get(link.claimId)
        const source = claim && sources.get(claim.sourceId)
        return claim && source ? [{ link, claim, source }] : []
      })
      const cite = (group: typeof cited) =>
        group.map(({ link, claim, source }) => citation(++note, claim, source, link.rating, link.note))
      const active = cited.filter(({ claim }) => claim.status === 'active')
      // Numbered in the order they are printed: supporting, contradicting, retracted.
      const supporting = cite(active.filter(({ link }) => isSupporting(link.rating)))
      const contradicting = cite(active.filter(({ link }) => isContradicting(link.rating)))
      const retracted = cite(
        cited.filter(({ link, claim }) => claim.status === 'retracted' && (isSupporting(link.rating) || isContradicting(link.rating))),
      )
      return {
        number: ++number,
        title: assessment.title,
        band: assessment.likelihood,
        impact: assessment.impact,
        judgment: paragraphs(assessment.judgment),
        likelihood: likelihoodSentence(board.profile, assessment.likelihood),
        confidence: confidenceSentence(assessment.confidence),
        details: details(assessment),
        supporting,
        contradicting,
        retracted,
      }
    }),
  }))
}

function citation(note: number, claim: ClaimModel, source: SourceModel, rating: AchRating, linkNote: string | undefined): Citation {
  const attribution = `${source.name} (${admiraltyGrade(source.reliability, claim.credibility)})`
  const retracted = claim.status === 'retracted' ? ' (retracted)' : ''
  const comment = linkNote?.trim() ? ` ${linkNote.trim()}` : ''
  return {
    note,
    attribution,
    footnote: `${attribution}: “${claim.text}”${retracted} — ${ACH_RATING_LABELS[rating]} (${rating}).${comment}`,
  }
}

function details(assessment: AssessmentModel): string[] {
  return [
    `Impact: ${assessment.impact ?? 'not assessed'}`,
    `Status: ${assessment.status}`,
    ...(assessment.tags.length > 0 ? [`Tags: ${assessment.tags.join(', ')}`] : []),
  ]
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
}

/** The key judgments, each with its likelihood term, in one short paragraph. */
function bottomLine(board: BoardModel): string {
  const keyJudgments = board.assessments.filter((a) => a.kind === 'key-judgment')
  if (keyJudgments.length === 0) return 'No key judgments yet.'
  return keyJudgments
    .map((a) => {
      const title = a.title.trim().replace(/[.;:,]+$/, '') || ASSESSMENT_KIND_LABELS[a.kind]
      const term = a.likelihood === null ? 'likelihood not assessed' : likelihoodTerm(board.profile, a.likelihood)
      return `${title} (${term}).`
    })
    .join(' ')
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
