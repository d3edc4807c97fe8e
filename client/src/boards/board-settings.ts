/** The settings of a board a person can change from the list or the board: PATCH /api/boards/:id. */
import { api } from '../app/api.ts'
import { patiently, type Patience } from '../app/busy-retry.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

export type BoardSettings = { title: string; marking: string; question: string; profile: LikelihoodProfile }

/** Read from the board's model, which a worker thread makes when nobody holds the board: it may be refused as busy for a moment. */
export async function loadBoardSettings(boardId: string, patience: Patience): Promise<BoardSettings> {
  const { title, marking, question, profile } = await patiently(() => api<BoardSettings>('GET', `/api/boards/${encodeURIComponent(boardId)}`), patience)
  return { title, marking, question, profile }
}

export async function saveBoardSettings(boardId: string, patch: Partial<BoardSettings>): Promise<void> {
  await api('PATCH', `/api/boards/${encodeURIComponent(boardId)}`, patch)
}
