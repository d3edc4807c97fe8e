/** `GET /api/boards/:id/checks` (README, "Analytic checks"), typed with the shared shape. */
import type { ChecksReport } from '../../../../shared/checks-report.ts'
import type { ExportScope } from '../../../../shared/export-scope.ts'
import { api } from '../../app/api.ts'
import { setVersion, type VersionRef } from '../../export/export-formats.ts'

export function fetchChecks(boardId: string, options: VersionRef & { scope?: ExportScope } = {}): Promise<ChecksReport> {
  const query = new URLSearchParams()
  setVersion(query, options)
  if (options.scope && options.scope !== 'all') query.set('scope', options.scope)
  const suffix = query.size > 0 ? `?${query}` : ''
  return api<ChecksReport>('GET', `/api/boards/${encodeURIComponent(boardId)}/checks${suffix}`)
}
