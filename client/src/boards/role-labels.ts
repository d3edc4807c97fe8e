import type { Role } from '../../../shared/roles.ts'

/** A role as the screen names it. */
export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', editor: 'Editor', reviewer: 'Reviewer' }
