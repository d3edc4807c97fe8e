/**
 * A change of the board's settings as `PATCH /api/boards/:id` makes it: a
 * change of yardstick that restates the judgments' probability ranges
 * (shared/yardstick-change.ts) is refused unless confirmed, and a confirmed
 * one is kept on the board, so the briefing notes it. The judgments it
 * confirmed are recorded as stated under the new yardstick; a band the server
 * did not hold then keeps the yardstick its author chose it under, and is shown
 * as needing restatement (shared/stated-likelihood.ts).
 */
import type * as Y from 'yjs'
import { readAssessments } from './board-convert.ts'
import { BoardError, boardProfile, requireEntity } from './board-doc.ts'
import type { BoardSettingsPatch } from './board-model.ts'
import { nowIso, stateLikelihood, updateMeta, type MutationContext } from './board-mutations.ts'
import type { LikelihoodProfile } from './domain.ts'
import { LIKELIHOODS_RESTATED, restatedLikelihoods, restatementRefusal, type RestatedLikelihood } from './yardstick-change.ts'

/** What the change restated (none unless a confirmed change of yardstick): for its audit entry. */
export type Restatement = { from: LikelihoodProfile; to: LikelihoodProfile; restated: RestatedLikelihood[] }

export function changeBoardSettings(doc: Y.Doc, patch: BoardSettingsPatch, ctx: MutationContext = {}): Restatement {
  const { restateLikelihoods = false, ...settings } = patch
  const from = boardProfile(doc)
  const to = settings.profile ?? from
  const restated = restatedLikelihoods(readAssessments(doc), from, to)
  if (restated.length > 0 && !restateLikelihoods) throw new BoardError('conflict', restatementRefusal(restated, from, to), LIKELIHOODS_RESTATED)
  // One transaction: the new profile and the confirmed judgments now stated under it land together.
  doc.transact(() => {
    updateMeta(doc, settings, ctx, restated.length > 0 ? { at: nowIso(ctx), from } : undefined)
    for (const { id, band } of restated) stateLikelihood(requireEntity(doc, 'assessments', id), band, to)
  }, ctx.origin)
  return { from, to, restated }
}
