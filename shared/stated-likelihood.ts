/**
 * The yardstick a likelihood was stated under. A band means a different range
 * under ICD 203 and PHIA (shared/yardstick-change.ts), and a change of
 * yardstick is confirmed against the judgments the server holds at that
 * moment: a band an analyst set on a page that had not yet seen the change (an
 * offline edit landing later, an edit crossing the change in flight) was never
 * confirmed under the new yardstick. So each likelihood records the yardstick
 * it was stated under, written with the band in one transaction
 * (shared/board-mutations.ts), and a band whose yardstick is not the board's
 * is shown as needing restatement, in its author's words, never in the new
 * yardstick's words as if someone had chosen them.
 *
 * Why a recorded yardstick rather than the relay judging what a reconnecting
 * client had seen (its state vector): the record travels with the band through
 * every path that writes one (websocket, offline copies, HTTP, imports,
 * restores, snapshots), needs no per-connection state, and every reader
 * (card, checks, briefing, STIX) decides from the board alone. A band without
 * a record (boards written before it) reads as stated under the board's
 * yardstick, as such a board always did.
 */
import type { AssessmentModel } from './board-model.ts'
import { likelihoodLabel, profileName, yardstickOf, type LikelihoodBand, type LikelihoodProfile, type Yardstick } from './domain.ts'

type StatedLikelihood = Pick<AssessmentModel, 'likelihood' | 'likelihoodYardstick'>

/** The yardstick the assessment's likelihood was stated under: its record, else the board's. */
export function statedYardstick(assessment: StatedLikelihood, boardProfile: LikelihoodProfile): Yardstick {
  return assessment.likelihoodYardstick ?? yardstickOf(boardProfile)
}

/** The band, when it was stated under another yardstick than the board's and nobody has restated it since. */
export function bandNeedingRestatement(assessment: StatedLikelihood, boardProfile: LikelihoodProfile): LikelihoodBand | null {
  const { likelihood } = assessment
  return likelihood !== null && statedYardstick(assessment, boardProfile) !== yardstickOf(boardProfile) ? likelihood : null
}

/** The band the board may show as stated under its own yardstick: null when unset or needing restatement. */
export function confirmedBand(assessment: StatedLikelihood, boardProfile: LikelihoodProfile): LikelihoodBand | null {
  return bandNeedingRestatement(assessment, boardProfile) === null ? assessment.likelihood : null
}

/**
 * The profile whose words the author saw: the board's own when the yardstick
 * is the board's, else that yardstick's first wording row (the row is not
 * recorded; both ICD 203 rows state the same ranges).
 */
export function statedProfile(assessment: StatedLikelihood, boardProfile: LikelihoodProfile): LikelihoodProfile {
  const stated = statedYardstick(assessment, boardProfile)
  return stated === yardstickOf(boardProfile) ? boardProfile : stated
}

/** "likelihood stated under ICD 203 (wording row A) as roughly even chance, 45–55%; needs restating under PHIA probability yardstick". */
export function restatementNeeded(band: LikelihoodBand, stated: LikelihoodProfile, board: LikelihoodProfile): string {
  return `likelihood stated under ${profileName(stated)} as ${likelihoodLabel(stated, band)}; needs restating under ${profileName(board)}`
}
