/**
 * The formats of GET /api/boards/:id/export (README, export route): what each
 * is for, and whether the briefing preview shows its content.
 */
import type { ExportFormat } from '../../../shared/export-formats.ts'
import type { ExportScope } from '../../../shared/export-scope.ts'

export { EXPORT_FORMATS, type ExportFormat } from '../../../shared/export-formats.ts'

export type FormatInfo = { label: string; hint: string; /** The HTML preview shows this format's content: the briefing. */ briefing: boolean }

export const FORMAT_INFO: Record<ExportFormat, FormatInfo> = {
  docx: { label: 'DOCX', hint: 'Word document: the briefing, the format most asked for', briefing: true },
  pdf: { label: 'PDF', hint: 'The briefing, paginated, with the marking on every page', briefing: true },
  md: { label: 'Markdown', hint: 'The briefing as plain text with headings and footnotes', briefing: true },
  html: { label: 'HTML', hint: 'The briefing as one web page', briefing: true },
  stix: { label: 'STIX 2.1', hint: 'Machine-readable bundle: report, notes, identities, relationships', briefing: false },
  json: { label: 'JSON', hint: 'The board model exactly as the API serves it', briefing: false },
  csv: { label: 'ACH (CSV)', hint: 'The ACH matrix for a spreadsheet: ratings, grades, weights and scores', briefing: false },
}

/** The version an export (and the checks before it) is of: a snapshot, the board as it was at a past time, or, naming neither, the live board. */
export type VersionRef = { snapshotId?: string | null; asOf?: string | null }

/** Names the version in a query of the export or checks route. */
export function setVersion(query: URLSearchParams, { snapshotId, asOf }: VersionRef): void {
  if (snapshotId) query.set('snapshot', snapshotId)
  if (asOf) query.set('asOf', asOf)
}

export function exportUrl(boardId: string, format: ExportFormat, version: VersionRef, scope: ExportScope = 'all'): string {
  const query = new URLSearchParams({ format })
  setVersion(query, version)
  if (scope !== 'all') query.set('scope', scope)
  return `/api/boards/${encodeURIComponent(boardId)}/export?${query}`
}

const UNITS = ['bytes', 'kB', 'MB', 'GB']

/** "18.3 kB": sizes as file managers show them (powers of 1000). */
export function fileSize(bytes: number): string {
  let size = bytes
  let unit = 0
  while (size >= 1000 && unit < UNITS.length - 1) {
    size /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${size.toFixed(size < 10 ? 1 : 0)} ${UNITS[unit]}`
}
