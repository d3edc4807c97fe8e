/**
 * "What changed since the previous version", in sentences a reader of the
 * briefing takes in without the board open: entities are named by their
 * titles, names or opening words, and enumerations by their domain labels.
 * Every name, title and excerpt is isolated (shared/bidi.ts): an override in
 * a member's words cannot reorder the sentence around them.
 */
import { isolate, quoted } from '../../shared/bidi.ts'
import { diffBoards, isProseField, type EntityChange, type FieldChange } from '../../shared/board-diff.ts'
import { listChange } from '../../shared/list-excerpt.ts'
import type { AssessmentModel, BoardModel, ClaimModel } from '../../shared/board-model.ts'
import {
  ACH_RATING_LABELS,
  ASSESSMENT_KIND_LABELS,
  CREDIBILITY_LABELS,
  RELIABILITY_LABELS,
  admiraltyGrade,
  likelihoodRange,
  likelihoodTerm,
  profileName,
  type AchRating,
  type AssessmentKind,
  type ClaimCredibility,
  type LikelihoodBand,
  type LikelihoodProfile,
  type SourceReliability,
} from '../../shared/domain.ts'
import { foldLikelihood, LIKELIHOOD_CHANGE, likelihoodChange } from '../../shared/stated-likelihood.ts'

/** Long enough to recognise a claim, short enough to keep a change on one line. */
const CLAIM_EXCERPT_CHARS = 80

/**
 * What a thing is called: a reader knows it by that name, so a rename says
 * the name it had and the one it has, where other prose only says it was edited.
 */
const NAME_FIELDS: ReadonlySet<string> = new Set(['title', 'name'])

export function describeChanges(from: BoardModel, to: BoardModel): string[] {
  // A briefing says that a text was edited, not which words: no word diffs to pay for.
  const diff = diffBoards(from, to, false)
  const names = new Namer(from, to)
  const items: string[] = []

  for (const change of diff.meta) items.push(`Board ${describeField(change, names)}.`)

  for (const s of diff.sources.added) items.push(`Source added: ${isolate(s.name)} (${reliability(s.reliability)}).`)
  for (const s of diff.sources.removed) items.push(`Source removed: ${isolate(s.name)}.`)
  for (const c of diff.sources.changed) items.push(`Source ${isolate(c.to.name)}: ${c.fields.map((f) => describeField(f, names)).join('; ')}.`)

  for (const d of diff.documents.added) items.push(`Document imported: ${quoted(d.title)}.`)
  for (const d of diff.documents.removed) items.push(`Document removed: ${quoted(d.title)}.`)
  for (const c of diff.documents.changed) items.push(`Document ${quoted(c.to.title)}: ${c.fields.map((f) => describeField(f, names)).join('; ')}.`)

  for (const a of diff.assessments.added) items.push(`${ASSESSMENT_KIND_LABELS[a.kind]} added: ${quoted(a.title)}.`)
  for (const a of diff.assessments.removed) items.push(`${ASSESSMENT_KIND_LABELS[a.kind]} removed: ${quoted(a.title)}.`)
  for (const c of diff.assessments.changed) {
    const fields = describeAssessmentFields(c, names)
    if (fields.length > 0) items.push(`${ASSESSMENT_KIND_LABELS[c.to.kind]} ${quoted(c.to.title)}: ${fields.join('; ')}.`)
  }

  for (const c of diff.claims.added) items.push(`Claim added: ${names.claim(c)}.`)
  for (const c of diff.claims.removed) items.push(`Claim removed: ${names.claim(c)}.`)
  for (const c of diff.claims.changed) items.push(`Claim ${names.claim(c.to)}: ${c.fields.map((f) => describeField(f, names)).join('; ')}.`)

  for (const l of diff.links.added) {
    items.push(`Claim ${names.claimById(l.claimId)} linked to ${quoted(names.assessment(l.assessmentId))} as ${rating(l.rating)}.`)
  }
  for (const l of diff.links.removed) items.push(`Claim ${names.claimById(l.claimId)} unlinked from ${quoted(names.assessment(l.assessmentId))}.`)
  for (const c of diff.links.changed) {
    items.push(
      `Link of claim ${names.claimById(c.to.claimId)} to ${quoted(names.assessment(c.to.assessmentId))}: ` +
        `${c.fields.map((f) => describeField(f, names)).join('; ')}.`,
    )
  }
  return items
}

/** Looks names up in the newer model first, so a renamed entity reads as it does now. */
class Namer {
  private readonly sources = new Map<string, { name: string; reliability: SourceReliability }>()
  private readonly claims = new Map<string, ClaimModel>()
  private readonly assessments = new Map<string, string>()
  readonly fromProfile: LikelihoodProfile
  readonly toProfile: LikelihoodProfile

  constructor(from: BoardModel, to: BoardModel) {
    for (const board of [from, to]) {
      for (const s of board.sources) this.sources.set(s.id, s)
      for (const c of board.claims) this.claims.set(c.id, c)
      for (const a of board.assessments) this.assessments.set(a.id, a.title)
    }
    this.fromProfile = from.profile
    this.toProfile = to.profile
  }

  source(id: string): string {
    const source = this.sources.get(id)
    return source ? isolate(source.name) : 'an unknown source'
  }

  assessment(id: string): string {
    return this.assessments.get(id) ?? id
  }

  /** `NATO (B2) “The aborted Wagner Group mutiny has prompted…”` */
  claim(claim: ClaimModel): string {
    const source = this.sources.get(claim.sourceId)
    const grade = source ? ` (${admiraltyGrade(source.reliability, claim.credibility)})` : ''
    return `${this.source(claim.sourceId)}${grade} ${quoted(excerpt(claim.text))}`
  }

  claimById(id: string): string {
    const claim = this.claims.get(id)
    return claim ? this.claim(claim) : id
  }
}

/**
 * An assessment's changed fields, its likelihood and the yardstick recorded
 * with it as one (shared/stated-likelihood.ts), where the first of the two
 * changed: each side in the words it was stated in, flagged where it needs
 * restating, never the board's words nor the record's key.
 */
function describeAssessmentFields(change: EntityChange<AssessmentModel>, names: Namer): string[] {
  return foldLikelihood(change.fields).flatMap((field) => {
    if (field !== LIKELIHOOD_CHANGE) return [describeField(field, names)]
    const words = likelihoodChange(change.from, names.fromProfile, change.to, names.toProfile, bandWords, 'none')
    return words ? [`${words.label}${words.restated ? ':' : ''} from ${words.from} to ${words.to}`] : []
  })
}

/** "likely (55–80%)": a band as the briefing's sentences give it. */
function bandWords(profile: LikelihoodProfile, band: LikelihoodBand): string {
  return `${likelihoodTerm(profile, band)} (${likelihoodRange(profile, band)})`
}

function describeField<E>(change: FieldChange<E>, names: Namer): string {
  const { field, from, to } = change
  if (field === 'order') return 'moved'
  if (NAME_FIELDS.has(field) && typeof from === 'string' && typeof to === 'string') return `${label(field)} from ${quoted(from)} to ${quoted(to)}`
  if (isProseField(field) && typeof from === 'string' && typeof to === 'string') return `${label(field)} edited`
  const tags = field === 'tags' ? listChange<unknown>(from, to) : null
  if (tags) return tagsChanged(tags.added, tags.removed)
  return `${label(field)} from ${value(field, from, names)} to ${value(field, to, names)}`
}

const FIELD_LABELS: Record<string, string> = {
  sourceId: 'source',
  profile: 'likelihood wording',
  marking: 'handling marking',
  schemaVersion: 'schema version',
  importedBy: 'imported by',
  createdBy: 'created by',
  bluf: 'bottom line up front',
}

function label(field: string): string {
  return FIELD_LABELS[field] ?? field
}

function value(field: string, v: unknown, names: Namer): string {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return 'none'
  switch (field) {
    case 'kind':
      return ASSESSMENT_KIND_LABELS[v as AssessmentKind]
    case 'reliability':
      return reliability(v as SourceReliability)
    case 'credibility':
      return `${String(v)} (${CREDIBILITY_LABELS[v as ClaimCredibility]})`
    case 'rating':
      return rating(v as AchRating)
    case 'profile':
      return profileName(v as LikelihoodProfile)
    case 'sourceId':
      return names.source(String(v))
    case 'confidence':
    case 'impact':
    case 'status':
      return String(v)
    default:
      // What is left is the members' own words: a title, a name, a marking, tags.
      return Array.isArray(v) ? v.map(memberText).join(', ') : memberText(v)
  }
}

/** "tags X, Y added; tag Z removed": the tags a card gained and lost, not its whole list twice. */
function tagsChanged(added: readonly unknown[], removed: readonly unknown[]): string {
  const tags = (items: readonly unknown[], what: string) => `${items.length === 1 ? 'tag' : 'tags'} ${items.map(memberText).join(', ')} ${what}`
  const parts = [...(added.length > 0 ? [tags(added, 'added')] : []), ...(removed.length > 0 ? [tags(removed, 'removed')] : [])]
  return parts.length > 0 ? parts.join('; ') : 'tags reordered'
}

function reliability(grade: SourceReliability): string {
  return `${grade} (${RELIABILITY_LABELS[grade]})`
}

function rating(r: AchRating): string {
  return `${ACH_RATING_LABELS[r]} (${r})`
}

function memberText(v: unknown): string {
  return typeof v === 'string' ? isolate(v) : String(v)
}

function excerpt(text: string): string {
  // Counted and cut in characters, never inside a surrogate pair.
  const characters = Array.from(text.replace(/\s+/g, ' ').trim())
  return characters.length <= CLAIM_EXCERPT_CHARS ? characters.join('') : `${characters.slice(0, CLAIM_EXCERPT_CHARS - 1).join('').trimEnd()}…`
}
