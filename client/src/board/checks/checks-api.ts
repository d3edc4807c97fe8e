/** `GET /api/boards/:id/checks` (README, "Analytic checks"), typed with the shared shape. */
import type { ChecksReport } from '../../../../shared/checks-report.ts'
import type { ExportScope } from '../../../../shared/export-scope.ts'
import { api } from '../../app/api.ts'

export function fetchChecks(boardId: string, options: { snapshotId?: string | null; scope?: ExportScope } = {}): Promise<ChecksReport> {
  const query = new URLSearchParams()
  if (options.snapshotId) query.set('snapshot', options.snapshotId)
  if (options.scope && options.scope !== 'all') query.set('scope', options.scope)
  const suffix = query.size > 0 ? `?${query}` : ''
  return api<ChecksReport>('GET', `/api/boards/${encodeURIComponent(boardId)}/checks${suffix}`)
}
