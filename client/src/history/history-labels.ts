/** A change of history in words: "likelihood: unlikely → likely". Its time is shown by client/src/ui/time-formats.ts. */
import { isolate, quoted } from '../../../shared/bidi.ts'
import { CARD_PRESENT, LIST_FIELDS, type AssessmentChange, type AttributedLink } from '../../../shared/history-model.ts'
import type { ClaimModel } from '../../../shared/board-model.ts'
import { likelihoodLabel, type LikelihoodProfile } from '../../../shared/domain.ts'
import { recordedLikelihoodChange } from '../../../shared/stated-likelihood.ts'
import { listChange } from '../../../shared/list-excerpt.ts'
import { isTextExcerpt, type TextExcerpt } from '../../../shared/text-excerpt.ts'
import { excerpt, fieldLabel, valueText } from '../snapshots/change-labels.ts'
import { LINKS_FIELD } from '../snapshots/compare-model.ts'

/** What a change did to the field, without who and when. */
export function changeText(change: AssessmentChange, profile: LikelihoodProfile, claimById: ReadonlyMap<string, ClaimModel>): string {
  if (change.field === 'card') return change.to === CARD_PRESENT ? 'created the card' : 'deleted the card'
  // A band with the yardstick it was stated under, in the words the briefing's "changes since" uses.
  const likelihood = change.field === 'likelihood' ? recordedLikelihoodChange(change.from, change.to, profile, likelihoodLabel, 'not set') : null
  if (likelihood) return `${likelihood.label}: ${isolate(likelihood.from)} → ${isolate(likelihood.to)}`
  // Tags and links as the items added and removed, recorded so (shared/list-excerpt.ts) or whole before.
  const list = LIST_FIELDS.has(change.field) ? listChange<unknown>(change.from, change.to) : null
  if (list && change.field === 'links') {
    const claim = (id: string) => quoted(excerpt(claimById.get(id)?.text ?? 'a claim no longer on the board', 40))
    const before = new Map((list.removed as AttributedLink[]).map((l) => [l.claimId, l.rating]))
    const after = new Map((list.added as AttributedLink[]).map((l) => [l.claimId, l.rating]))
    const parts: string[] = []
    for (const [id, rating] of after) {
      const was = before.get(id)
      if (was === undefined) parts.push(`linked ${claim(id)} as ${rating}`)
      else if (was !== rating) parts.push(`rated ${claim(id)} ${was} → ${rating}`)
    }
    for (const [id] of before) if (!after.has(id)) parts.push(`unlinked ${claim(id)}`)
    return `${fieldLabel(LINKS_FIELD)}: ${parts.join('; ')}`
  }
  if (list && (list.added.length > 0 || list.removed.length > 0)) {
    const tags = (items: unknown[]) => isolate(valueText('tags', items, profile))
    const parts = [...(list.added.length > 0 ? [`added ${tags(list.added)}`] : []), ...(list.removed.length > 0 ? [`removed ${tags(list.removed)}`] : [])]
    return `${fieldLabel('tags')}: ${parts.join('; ')}`
  }
  // Each side isolated: member text (a title, a judgment's part, tags) reorders neither the arrow nor the other side.
  const value = (v: unknown) => {
    if (isTextExcerpt(v)) return quoted(partOfText(v))
    return (change.field === 'title' || change.field === 'judgment') && typeof v === 'string' && v !== '' ? quoted(excerpt(v, 40)) : isolate(valueText(change.field, v, profile))
  }
  return `${fieldLabel(change.field)}: ${value(change.from)} → ${value(change.to)}`
}

/** The part of a long text a change recorded (the change and a little around it), with "…" where the text goes on. */
function partOfText(part: TextExcerpt): string {
  const before = part.start > 0 ? '…' : ''
  const shown = excerpt(part.excerpt, 60)
  const after = part.start + part.excerpt.length < part.length && !shown.endsWith('…') ? '…' : ''
  return `${before}${shown}${after}`
}
