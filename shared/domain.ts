/**
 * The analysts' vocabulary (see DOMAIN.md). Every label shown to a person or
 * written into a briefing comes from here, so a wrong word has one place to be
 * fixed.
 */

export const LIKELIHOOD_BANDS = [1, 2, 3, 4, 5, 6, 7] as const
export type LikelihoodBand = (typeof LIKELIHOOD_BANDS)[number]
export const isBand = (value: unknown): value is LikelihoodBand => (LIKELIHOOD_BANDS as readonly unknown[]).includes(value)

export const LIKELIHOOD_PROFILES = ['icd203', 'icd203-alt', 'phia'] as const
export type LikelihoodProfile = (typeof LIKELIHOOD_PROFILES)[number]

export function isLikelihoodProfile(value: unknown): value is LikelihoodProfile {
  return (LIKELIHOOD_PROFILES as readonly unknown[]).includes(value)
}

/** The two yardsticks: ICD 203's two wording rows share its ranges, PHIA has its own. */
export const YARDSTICKS = ['icd203', 'phia'] as const
export type Yardstick = (typeof YARDSTICKS)[number]

/** The yardstick a profile's wording belongs to. */
export function yardstickOf(profile: LikelihoodProfile): Yardstick {
  return profile === 'phia' ? 'phia' : 'icd203'
}

export type YardstickRow = { band: LikelihoodBand; term: string; range: string }

/** ICD 203 rows A and B share their ranges; PHIA has its own yardstick. */
const ICD203_RANGES = ['1–5%', '5–20%', '20–45%', '45–55%', '55–80%', '80–95%', '95–99%']

const YARDSTICK_TERMS: Record<LikelihoodProfile, { name: string; terms: string[]; ranges: string[] }> = {
  icd203: {
    name: 'ICD 203 (wording row A)',
    terms: ['almost no chance', 'very unlikely', 'unlikely', 'roughly even chance', 'likely', 'very likely', 'almost certain'],
    ranges: ICD203_RANGES,
  },
  'icd203-alt': {
    name: 'ICD 203 (wording row B)',
    terms: ['remote', 'highly improbable', 'improbable', 'roughly even odds', 'probable', 'highly probable', 'nearly certain'],
    ranges: ICD203_RANGES,
  },
  phia: {
    name: 'PHIA probability yardstick',
    terms: ['remote chance', 'highly unlikely', 'unlikely', 'realistic possibility', 'likely/probably', 'highly likely', 'almost certain'],
    ranges: ['≈0–5%', '10–20%', '25–35%', '40–50%', '55–75%', '80–90%', '95–100%'],
  },
}

export function profileName(profile: LikelihoodProfile): string {
  return YARDSTICK_TERMS[profile].name
}

export function yardstick(profile: LikelihoodProfile): YardstickRow[] {
  const { terms, ranges } = YARDSTICK_TERMS[profile]
  return LIKELIHOOD_BANDS.map((band, i) => ({ band, term: terms[i]!, range: ranges[i]! }))
}

export function likelihoodTerm(profile: LikelihoodProfile, band: LikelihoodBand): string {
  return YARDSTICK_TERMS[profile].terms[band - 1]!
}

export function likelihoodRange(profile: LikelihoodProfile, band: LikelihoodBand): string {
  return YARDSTICK_TERMS[profile].ranges[band - 1]!
}

/** "likely, 55–80%": the term with its range in running text (change lists, the grid's chips, screen readers). */
export function likelihoodLabel(profile: LikelihoodProfile, band: LikelihoodBand): string {
  return `${likelihoodTerm(profile, band)}, ${likelihoodRange(profile, band)}`
}

/** "likely · 55–80%": the card's likelihood chip, as UI.md draws it. */
export function likelihoodChip(profile: LikelihoodProfile, band: LikelihoodBand): string {
  return `${likelihoodTerm(profile, band)} · ${likelihoodRange(profile, band)}`
}

export const CONFIDENCE_LEVELS = ['low', 'moderate', 'high'] as const
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number]

export const CONFIDENCE_MEANINGS: Record<ConfidenceLevel, string> = {
  high: 'high-quality information from multiple sources, or the nature of the issue allows a solid judgment; still not a certainty',
  moderate: 'credibly sourced and plausible, but not of sufficient quality or corroboration for high',
  low: 'questionable or implausible information, too fragmented or poorly corroborated, or significant concerns about the sources',
}

/** STIX `confidence` is confidence in correctness, 0–100. */
export const STIX_CONFIDENCE: Record<ConfidenceLevel, number> = { low: 15, moderate: 50, high: 85 }

export const IMPACT_LEVELS = ['minimal', 'minor', 'moderate', 'major', 'severe'] as const
export type ImpactLevel = (typeof IMPACT_LEVELS)[number]

export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'D', 'E', 'F'] as const
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number]

export const RELIABILITY_LABELS: Record<SourceReliability, string> = {
  A: 'Completely reliable',
  B: 'Usually reliable',
  C: 'Fairly reliable',
  D: 'Not usually reliable',
  E: 'Unreliable',
  F: 'Reliability cannot be judged',
}

export const CLAIM_CREDIBILITIES = [1, 2, 3, 4, 5, 6] as const
export type ClaimCredibility = (typeof CLAIM_CREDIBILITIES)[number]

export const CREDIBILITY_LABELS: Record<ClaimCredibility, string> = {
  1: 'Confirmed by other sources',
  2: 'Probably true',
  3: 'Possibly true',
  4: 'Doubtful',
  5: 'Improbable',
  6: 'Truth cannot be judged',
}

/** The Admiralty grade reads source reliability and claim credibility together: "B2". */
export function admiraltyGrade(reliability: SourceReliability, credibility: ClaimCredibility): string {
  return `${reliability}${credibility}`
}

export const CLAIM_STATUSES = ['active', 'retracted'] as const
export type ClaimStatus = (typeof CLAIM_STATUSES)[number]

export const ASSESSMENT_KINDS = ['key-judgment', 'assessment', 'hypothesis'] as const
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number]

export const ASSESSMENT_KIND_LABELS: Record<AssessmentKind, string> = {
  'key-judgment': 'Key judgment',
  assessment: 'Assessment',
  hypothesis: 'Hypothesis',
}

export const ASSESSMENT_STATUSES = ['draft', 'in-review', 'final'] as const
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number]

export const ASSESSMENT_STATUS_LABELS: Record<AssessmentStatus, string> = { draft: 'draft', 'in-review': 'in review', final: 'final' }

/**
 * How relevant a piece of ACH evidence is to the question (DOMAIN.md's
 * weighting levels, by their letters): evidence never rated reads as M, the
 * level that leaves its weight unchanged.
 */
export const RELEVANCE_LEVELS = ['L', 'M', 'H'] as const
export type RelevanceLevel = (typeof RELEVANCE_LEVELS)[number]
export const DEFAULT_RELEVANCE: RelevanceLevel = 'M'

/** ACH consistency of one piece of evidence with one hypothesis. */
export const ACH_RATINGS = ['CC', 'C', 'N', 'I', 'II', 'NA'] as const
export type AchRating = (typeof ACH_RATINGS)[number]

export const ACH_RATING_LABELS: Record<AchRating, string> = {
  CC: 'very consistent',
  C: 'consistent',
  N: 'neutral or ambiguous',
  I: 'inconsistent',
  II: 'very inconsistent',
  NA: 'not applicable',
}

export function isSupporting(rating: AchRating): boolean {
  return rating === 'CC' || rating === 'C'
}

export function isContradicting(rating: AchRating): boolean {
  return rating === 'I' || rating === 'II'
}

/** ACH inconsistency score contribution: I counts 1, II counts 2, nothing else counts. */
export function inconsistencyWeight(rating: AchRating): number {
  return rating === 'II' ? 2 : rating === 'I' ? 1 : 0
}

/** FIRST TLP 2.0 markings, least restrictive first; a board may also carry free text. How a marking is read for them: shared/marking.ts. */
export const TLP_MARKINGS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const
export type TlpMarking = (typeof TLP_MARKINGS)[number]

export const REVIEW_VERDICTS = ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'] as const
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number]

export const RISK_LEVELS = ['low', 'medium', 'high'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

/**
 * The shade of a likelihood × impact cell: band × impact rank (1–5), high from
 * 20, medium from 8. The board's grid and the briefing's grid must agree.
 */
export function riskLevel(band: LikelihoodBand, impact: ImpactLevel): RiskLevel {
  const score = band * (IMPACT_LEVELS.indexOf(impact) + 1)
  return score >= 20 ? 'high' : score >= 8 ? 'medium' : 'low'
}
