/** `GET /api/boards/:id/checks` (README, "Analytic checks"), typed with the shared shape. */
import type { ChecksReport } from '../../../../shared/checks-report.ts'
import type { ExportScope } from '../../../../shared/export-scope.ts'
import { api } from '../../app/api.ts'
import { patiently, type Patience } from '../../app/busy-retry.ts'
import { setVersion, type VersionRef } from '../../export/export-formats.ts'

/** The checks run in a worker thread, and a past time's are a costly history read: either may be refused as busy for a moment. */
export function fetchChecks(boardId: string, options: VersionRef & { scope?: ExportScope }, patience: Patience): Promise<ChecksReport> {
  const query = new URLSearchParams()
  setVersion(query, options)
  if (options.scope && options.scope !== 'all') query.set('scope', options.scope)
  const suffix = query.size > 0 ? `?${query}` : ''
  return patiently(() => api<ChecksReport>('GET', `/api/boards/${encodeURIComponent(boardId)}/checks${suffix}`), patience)
}
