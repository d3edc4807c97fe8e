/** A board as the board list shows it (GET /api/boards). */
export type BoardRole = 'owner' | 'editor' | 'reviewer'

export type BoardSummary = { id: string; title: string; createdAt: string; role: BoardRole }

export function canEdit(role: BoardRole): boolean {
  return role !== 'reviewer'
}

export const ROLE_LABELS: Record<BoardRole, string> = { owner: 'Owner', editor: 'Editor', reviewer: 'Reviewer' }
