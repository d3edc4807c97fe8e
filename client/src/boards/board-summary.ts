/** A board as the board list shows it (GET /api/boards). */
import type { Role } from '../../../shared/roles.ts'

export type BoardSummary = { id: string; title: string; createdAt: string; role: Role }

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', editor: 'Editor', reviewer: 'Reviewer' }
