/** The settings of a board a person can change from the list or the board: PATCH /api/boards/:id. */
import { api } from '../app/api.ts'
import type { LikelihoodProfile } from '../../../shared/domain.ts'

export type BoardSettings = { title: string; marking: string; question: string; profile: LikelihoodProfile }

export async function loadBoardSettings(boardId: string): Promise<BoardSettings> {
  const { title, marking, question, profile } = await api<BoardSettings>('GET', `/api/boards/${encodeURIComponent(boardId)}`)
  return { title, marking, question, profile }
}

export async function saveBoardSettings(boardId: string, patch: Partial<BoardSettings>): Promise<void> {
  await api('PATCH', `/api/boards/${encodeURIComponent(boardId)}`, patch)
}
