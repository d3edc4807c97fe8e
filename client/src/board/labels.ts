/**
 * The board's words on screen, all from shared/domain.ts: likelihood in the
 * board's profile, confidence, impact, status, Admiralty grades, ACH ratings.
 */
import {
  ACH_RATING_LABELS,
  ACH_RATINGS,
  ASSESSMENT_KIND_LABELS,
  ASSESSMENT_KINDS,
  ASSESSMENT_STATUSES,
  ASSESSMENT_STATUS_LABELS,
  CLAIM_CREDIBILITIES,
  CONFIDENCE_LEVELS,
  CONFIDENCE_MEANINGS,
  CREDIBILITY_LABELS,
  IMPACT_LEVELS,
  RELIABILITY_LABELS,
  SOURCE_RELIABILITIES,
  isContradicting,
  isSupporting,
  yardstick,
  type AchRating,
  type AssessmentKind,
  type AssessmentStatus,
  type ClaimCredibility,
  type ConfidenceLevel,
  type ImpactLevel,
  type LikelihoodBand,
  type LikelihoodProfile,
  type SourceReliability,
} from '../../../shared/domain.ts'
import type { Segment } from '../ui/segment.ts'

export const STATUS_LABELS: Record<AssessmentStatus, string> = ASSESSMENT_STATUS_LABELS

/** "none" for a field that may be left unset; 0 stands for it where the values are numbers. */
export const NONE = 'none'

export function likelihoodSegments(profile: LikelihoodProfile): Segment<LikelihoodBand | 0>[] {
  return [
    { value: 0, label: 'not set' },
    ...yardstick(profile).map((row) => ({ value: row.band, label: row.term, detail: row.range, description: row.range })),
  ]
}

export const CONFIDENCE_SEGMENTS: Segment<ConfidenceLevel | typeof NONE>[] = [
  { value: NONE, label: '–', description: 'not set' },
  ...CONFIDENCE_LEVELS.map((level) => ({ value: level, label: level, description: CONFIDENCE_MEANINGS[level] })),
]

export const IMPACT_SEGMENTS: Segment<ImpactLevel | typeof NONE>[] = [
  { value: NONE, label: '–', description: 'not set' },
  ...IMPACT_LEVELS.map((level) => ({ value: level, label: level })),
]

export const STATUS_SEGMENTS: Segment<AssessmentStatus>[] = ASSESSMENT_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))

export const KIND_SEGMENTS: Segment<AssessmentKind>[] = ASSESSMENT_KINDS.map((kind) => ({ value: kind, label: ASSESSMENT_KIND_LABELS[kind] }))

export function ratingTone(rating: AchRating): 'support' | 'contradict' | 'neutral' {
  return isSupporting(rating) ? 'support' : isContradicting(rating) ? 'contradict' : 'neutral'
}

/** The classes that colour an ACH rating wherever one is shown (app.css): its tone, and a solid fill for CC and II. */
export function ratingClasses(rating: AchRating): string {
  return `ach-tone-${ratingTone(rating)} ach-rating-${rating}`
}

export const RATING_SEGMENTS: Segment<AchRating>[] = ACH_RATINGS.map((rating) => ({
  value: rating,
  label: rating,
  description: ACH_RATING_LABELS[rating],
  tone: ratingTone(rating),
}))

export const RELIABILITY_OPTIONS = SOURCE_RELIABILITIES.map((grade) => ({ value: grade, label: `${grade} — ${RELIABILITY_LABELS[grade]}` }))
export const CREDIBILITY_OPTIONS = CLAIM_CREDIBILITIES.map((grade) => ({ value: grade, label: `${grade} — ${CREDIBILITY_LABELS[grade]}` }))

/** Grades read as good, middling or poor at a glance; F and 6 ("cannot be judged") are neither. */
export function reliabilityTone(grade: SourceReliability): 'good' | 'fair' | 'poor' | 'unknown' {
  return grade === 'A' || grade === 'B' ? 'good' : grade === 'C' || grade === 'D' ? 'fair' : grade === 'E' ? 'poor' : 'unknown'
}

export function credibilityTone(grade: ClaimCredibility): 'good' | 'fair' | 'poor' | 'unknown' {
  return grade <= 2 ? 'good' : grade <= 4 ? 'fair' : grade === 5 ? 'poor' : 'unknown'
}

/** A grade reads as its weaker half: "E1" is no better than its unreliable source. */
export function gradeTone(reliability: SourceReliability, credibility: ClaimCredibility): 'good' | 'fair' | 'poor' | 'unknown' {
  const tones = [reliabilityTone(reliability), credibilityTone(credibility)]
  for (const tone of ['poor', 'fair', 'unknown'] as const) if (tones.includes(tone)) return tone
  return 'good'
}

/**
 * "Source: Usually reliable · Information: Probably true": each half of an Admiralty grade by what it grades, in
 * DOMAIN.md's labels as written. Put before "source" ("Reliability cannot be judged source"), or lowered after
 * "information", the labels of F and 6 read badly (red team 39c).
 */
export function gradeDescription(reliability: SourceReliability, credibility: ClaimCredibility): string {
  return `Source: ${RELIABILITY_LABELS[reliability]} · Information: ${CREDIBILITY_LABELS[credibility]}`
}
