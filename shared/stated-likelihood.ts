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
import { isBand, likelihoodLabel, profileName, yardstickOf, YARDSTICKS, type LikelihoodBand, type LikelihoodProfile, type Yardstick } from './domain.ts'

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

/** How a reader writes a band in its profile's words: "likely (55–80%)" in a briefing's sentence, "likely, 55–80%" in a list. */
export type BandWords = (profile: LikelihoodProfile, band: LikelihoodBand) => string

/**
 * A likelihood as a list of changes gives it: the band in the words it was
 * stated in, and where it needs restating, the yardstick it was stated under
 * and the flag, never the board's words as if its author had chosen them; null
 * when unset.
 */
export function statedLikelihoodText(assessment: StatedLikelihood, boardProfile: LikelihoodProfile, words: BandWords): string | null {
  const { likelihood } = assessment
  if (likelihood === null) return null
  const stated = statedProfile(assessment, boardProfile)
  const text = words(stated, likelihood)
  return bandNeedingRestatement(assessment, boardProfile) === null ? text : `${text} under ${profileName(stated)} (needs restating)`
}

/** A change of likelihood in words; `restated`: the band is now stated under another yardstick, which `label` names. */
export type LikelihoodChange = { label: string; restated: boolean; from: string; to: string }

/**
 * A change of an assessment's likelihood, its band and the yardstick recorded
 * with it read as one (the record is no field a reader knows): each side in
 * the words it was stated in, judged against its own version's board
 * (`fromBoard`, `toBoard`), and a band stated anew under the board's
 * yardstick after another called a restatement. Null when neither side reads differently (a
 * record added to a band stated under the board's yardstick all along).
 * `unset`: the list's word for no likelihood.
 */
export function likelihoodChange(
  from: StatedLikelihood,
  fromBoard: LikelihoodProfile,
  to: StatedLikelihood,
  toBoard: LikelihoodProfile,
  words: BandWords,
  unset: string,
): LikelihoodChange | null {
  // Stated anew under the board's yardstick; a band that lands under another (an offline edit) is no restatement, only flagged.
  const restated =
    from.likelihood !== null && to.likelihood !== null && statedYardstick(from, fromBoard) !== statedYardstick(to, toBoard) && bandNeedingRestatement(to, toBoard) === null
  const was = statedLikelihoodText(from, fromBoard, words) ?? unset
  const now = statedLikelihoodText(to, toBoard, words) ?? unset
  if (!restated && was === now) return null
  return { label: restated ? `likelihood restated under ${profileName(toBoard)}` : 'likelihood', restated, from: was, to: now }
}

/** Where foldLikelihood puts the likelihood's one change among a card's changed fields. */
export const LIKELIHOOD_CHANGE = Symbol('likelihood change')

/**
 * A card's changed fields with its likelihood and the yardstick recorded with
 * it as one (likelihoodChange reads them together), at the place of the first
 * of the two: LIKELIHOOD_CHANGE there, every other field as it is.
 */
export function foldLikelihood<F extends { field: string }>(fields: readonly F[]): (F | typeof LIKELIHOOD_CHANGE)[] {
  const folded: (F | typeof LIKELIHOOD_CHANGE)[] = []
  for (const field of fields) {
    if (field.field !== 'likelihood' && field.field !== 'likelihoodYardstick') folded.push(field)
    else if (!folded.includes(LIKELIHOOD_CHANGE)) folded.push(LIKELIHOOD_CHANGE)
  }
  return folded
}

/**
 * A likelihood as the board's history records it: the band alone (or null)
 * where it is stated under the board's yardstick, as history always recorded
 * it; else the band with the yardstick it is stated under. A change of the
 * record alone ("phia" written with the same band on a card stated under
 * ICD 203) is then a change of the recorded value, listed and attributed to
 * whoever made it like any change of band.
 */
export type RecordedLikelihood = LikelihoodBand | null | { band: LikelihoodBand; yardstick: Yardstick }

export function recordedLikelihood(assessment: StatedLikelihood, boardProfile: LikelihoodProfile): RecordedLikelihood {
  const { likelihood } = assessment
  if (likelihood === null) return null
  const stated = statedYardstick(assessment, boardProfile)
  return stated === yardstickOf(boardProfile) ? likelihood : { band: likelihood, yardstick: stated }
}

/** A recorded likelihood read back for likelihoodChange (a bare band: stated under the board's yardstick); null for anything else. */
export function statedFromRecorded(value: unknown): StatedLikelihood | null {
  if (value === null || isBand(value)) return { likelihood: value, likelihoodYardstick: undefined }
  if (typeof value !== 'object') return null
  const { band, yardstick } = value as { band?: unknown; yardstick?: unknown }
  return isBand(band) && (YARDSTICKS as readonly unknown[]).includes(yardstick) ? { likelihood: band, likelihoodYardstick: yardstick as Yardstick } : null
}

/** A change of likelihood as history recorded it (recordedLikelihood's values), in likelihoodChange's words, each side read under `board`; null where either side is no such value or neither reads differently. */
export function recordedLikelihoodChange(from: unknown, to: unknown, board: LikelihoodProfile, words: BandWords, unset: string): LikelihoodChange | null {
  const was = statedFromRecorded(from)
  const now = statedFromRecorded(to)
  return was && now ? likelihoodChange(was, board, now, board, words, unset) : null
}
