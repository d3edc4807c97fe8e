/** The settings of a board a person can change from the list or the board: PATCH /api/boards/:id. */
import { api } from '../app/api.ts'
import { patiently, type Patience } from '../app/busy-retry.ts'
import type { AssessmentModel, BoardModel } from '../../../shared/board-model.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

export type BoardSettings = { title: string; marking: string; question: string; profile: LikelihoodProfile }

/** What a change of yardstick would restate is worked out from these (shared/yardstick-change.ts). */
export type JudgmentLikelihood = Pick<AssessmentModel, 'id' | 'title' | 'likelihood'>

/** Read from the board's model, which a worker thread makes when nobody holds the board: it may be refused as busy for a moment. */
export async function loadBoardSettings(boardId: string, patience: Patience): Promise<{ settings: BoardSettings; judgments: JudgmentLikelihood[] }> {
  const { title, marking, question, profile, assessments } = await patiently(() => api<BoardModel>('GET', `/api/boards/${encodeURIComponent(boardId)}`), patience)
  return { settings: { title, marking, question, profile }, judgments: assessments.map(({ id, title, likelihood }) => ({ id, title, likelihood })) }
}

/** `restateLikelihoods`: the person confirmed that a change of yardstick restates the judgments' probability ranges. */
export async function saveBoardSettings(boardId: string, patch: Partial<BoardSettings>, restateLikelihoods = false): Promise<void> {
  await api('PATCH', `/api/boards/${encodeURIComponent(boardId)}`, restateLikelihoods ? { ...patch, restateLikelihoods } : patch)
}
