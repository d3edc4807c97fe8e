/** A board as the board list shows it (GET /api/boards). */
import type { SnapshotReviewStatus } from '../../../shared/review-status.ts'
import type { Role } from '../../../shared/roles.ts'

export type BoardSummary = {
  id: string
  title: string
  createdAt: string
  role: Role
  /** The summary the server keeps as the board changes; null for a board not loaded since it existed. */
  marking: string | null
  assessmentCount: number | null
  claimCount: number | null
  lastChangeAt: string | null
  archivedAt: string | null
  archivedBy: string | null
  /** The newest signed-off snapshot's review. */
  review: SnapshotReviewStatus | null
}

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', editor: 'Editor', reviewer: 'Reviewer' }
