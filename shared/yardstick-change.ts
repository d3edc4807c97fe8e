/**
 * A change of a board's yardstick (ICD 203 ⇄ PHIA). An assessment stores its
 * likelihood as a band, and the two yardsticks give the bands different
 * ranges: switching restates every judgment's stated probability ("unlikely,
 * 20–45%" becomes "unlikely, 25–35%"). Switching between ICD 203's wording rows
 * changes only words. The server refuses a restatement it was not asked for,
 * and the settings dialog lists what would be restated before asking.
 */
import type { AssessmentModel } from './board-model.ts'
import { likelihoodLabel, profileName, yardstickOf, type LikelihoodBand, type LikelihoodProfile } from './domain.ts'
import { statedProfile } from './stated-likelihood.ts'

/** One judgment whose stated range a change of yardstick restates. */
export type RestatedLikelihood = { id: string; title: string; band: LikelihoodBand; before: string; after: string }

/**
 * The assessments with a likelihood whose stated range changes from `from` to
 * `to`, in the order given; none when the yardstick stays. Each is read under
 * the yardstick it was stated under (shared/stated-likelihood.ts): one still
 * awaiting restatement under `from` is not restated by going back to the
 * yardstick it was stated under, and is never confirmed by an owner who was
 * not shown it as it stood.
 */
export function restatedLikelihoods(
  assessments: readonly Pick<AssessmentModel, 'id' | 'title' | 'likelihood' | 'likelihoodYardstick'>[],
  from: LikelihoodProfile,
  to: LikelihoodProfile,
): RestatedLikelihood[] {
  if (yardstickOf(from) === yardstickOf(to)) return []
  return assessments.flatMap((assessment) => {
    const { id, title, likelihood } = assessment
    const stated = statedProfile(assessment, from)
    if (likelihood === null || yardstickOf(stated) !== yardstickOf(from)) return []
    const before = likelihoodLabel(stated, likelihood)
    const after = likelihoodLabel(to, likelihood)
    return before === after ? [] : [{ id, title, band: likelihood, before, after }]
  })
}

/** The error code of a change of yardstick refused for want of `restateLikelihoods: true`. */
export const LIKELIHOODS_RESTATED = 'likelihoods_restated'

/** How many judgments, and which, at most this many named in a message. */
const NAMED = 10

/** Why a change of yardstick is refused until confirmed, naming what it would restate. */
export function restatementRefusal(restated: readonly RestatedLikelihood[], from: LikelihoodProfile, to: LikelihoodProfile): string {
  const named = restated.slice(0, NAMED).map((r) => `“${r.title || 'Untitled'}” (${r.before} → ${r.after})`)
  const more = restated.length > NAMED ? `, and ${restated.length - NAMED} more` : ''
  const count = restated.length === 1 ? '1 judgment' : `${restated.length} judgments`
  return (
    `Changing the likelihood profile from ${profileName(from)} to ${profileName(to)} restates the probability range of ${count}: ${named.join('; ')}${more}. ` +
    'Send restateLikelihoods: true to confirm; the briefing will note the change.'
  )
}

/** The last change of yardstick, as the board keeps it and the briefing's yardstick appendix notes it. */
export type YardstickChange = { at: string; from: LikelihoodProfile }
