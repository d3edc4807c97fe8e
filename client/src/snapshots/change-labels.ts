/**
 * Changes in words: field names as the board calls them, and values as the
 * board shows them (likelihood in the words it was stated in, grades, ratings).
 */
import type { FieldChange, TextEdit } from '../../../shared/board-diff.ts'
import type { AssessmentModel } from '../../../shared/board-model.ts'
import {
  ACH_RATING_LABELS,
  ASSESSMENT_KIND_LABELS,
  likelihoodLabel,
  isBand,
  profileName,
  LIKELIHOOD_PROFILES,
  type AchRating,
  type AssessmentKind,
  type AssessmentStatus,
  type LikelihoodProfile,
} from '../../../shared/domain.ts'
import { withControlsClosed } from '../../../shared/bidi.ts'
import { foldLikelihood, LIKELIHOOD_CHANGE, likelihoodChange } from '../../../shared/stated-likelihood.ts'
import { STATUS_LABELS } from '../board/labels.ts'
import { LINKS_FIELD } from './compare-model.ts'

const FIELD_LABELS: Record<string, string> = {
  title: 'title',
  judgment: 'judgment',
  kind: 'kind',
  likelihood: 'likelihood',
  confidence: 'analytic confidence',
  impact: 'impact',
  status: 'status',
  tags: 'tags',
  order: 'position',
  [LINKS_FIELD]: 'linked claims',
  text: 'text',
  credibility: 'credibility',
  sourceId: 'source',
  name: 'name',
  reliability: 'reliability',
  url: 'URL',
  note: 'note',
  rating: 'rating',
  relevance: 'relevance as evidence',
  marking: 'marking',
  question: 'key question',
  bluf: 'bottom line up front',
  profile: 'likelihood profile',
  schemaVersion: 'schema version',
  documentId: 'source document',
  paragraph: 'paragraph',
  start: 'start',
  end: 'end',
}

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field
}

const isProfile = (value: unknown): value is LikelihoodProfile => (LIKELIHOOD_PROFILES as readonly unknown[]).includes(value)

/** A field's value as the board shows it; "not set" where it was absent or empty. */
export function valueText(field: string, value: unknown, profile: LikelihoodProfile): string {
  if (value === undefined || value === null || value === '') return 'not set'
  if (field === 'likelihood' && isBand(value)) return likelihoodLabel(profile, value)
  if (field === 'status') return STATUS_LABELS[value as AssessmentStatus] ?? String(value)
  if (field === 'kind') return ASSESSMENT_KIND_LABELS[value as AssessmentKind] ?? String(value)
  if (field === 'rating') return `${String(value)} (${ACH_RATING_LABELS[value as AchRating] ?? ''})`
  if (field === 'profile' && isProfile(value)) return profileName(value)
  if (Array.isArray(value)) return value.length > 0 ? value.map((tag) => `#${String(tag)}`).join(' ') : 'none'
  return String(value)
}

/** A changed field as a list shows it: its label, and its values before and after in words, or a text's word diff. */
export type ShownField = { field: string; label: string; from: string; to: string; words?: TextEdit[] | undefined }

/** A changed field in words, read under the board's profile. */
export function shownField<E>(change: FieldChange<E>, profile: LikelihoodProfile): ShownField {
  const { field, from, to, words } = change
  return { field, label: fieldLabel(field), from: valueText(field, from, profile), to: valueText(field, to, profile), words }
}

/**
 * A card's changed fields in words, its position left out, and its likelihood
 * and the yardstick recorded with it as one row (shared/stated-likelihood.ts),
 * where the first of the two changed: each side in the words it was stated in,
 * judged against its own version's profile, flagged where it needs restating;
 * a restatement says so, and the record's key is never shown.
 */
export function shownCardFields(
  change: { from: AssessmentModel; to: AssessmentModel; fields: readonly FieldChange<AssessmentModel>[] },
  profiles: { from: LikelihoodProfile; to: LikelihoodProfile },
): ShownField[] {
  return foldLikelihood(change.fields.filter((field) => field.field !== 'order')).flatMap((field) => {
    if (field !== LIKELIHOOD_CHANGE) return [shownField(field, profiles.to)]
    const words = likelihoodChange(change.from, profiles.from, change.to, profiles.to, likelihoodLabel, 'not set')
    return words ? [{ field: 'likelihood', label: words.label, from: words.from, to: words.to }] : []
  })
}

/**
 * A claim or other long text, cut to one line of a list, with no override or
 * isolate left open over the line's words after it (its own, or one whose end
 * the cut dropped).
 */
export function excerpt(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${withControlsClosed(flat.slice(0, max - 1))}…` : withControlsClosed(flat)
}
