/**
 * The one entry point of export: a board model and the version it was taken
 * from in, a file's body and type out. The HTTP route and the CLI call this;
 * the formats themselves live one per file beside it. The server calls it in
 * a worker thread (export-job.ts); DOCX and PDF, whose libraries are large,
 * are loaded on first use.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { ExportFormat } from '../../shared/export-formats.ts'
import { scopeBoard, type ExportScope } from '../../shared/export-scope.ts'
import { buildBriefing, type Briefing } from './briefing-model.ts'
import { DEFAULT_BRIEFING_MAX_CHARS, withinSize } from './briefing-size.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { renderAchCsv } from './render-csv.ts'
import { renderHtml } from './render-html.ts'
import { renderJson } from './render-json.ts'
import { renderMarkdown } from './render-markdown.ts'
import { renderStix } from './render-stix.ts'

export { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '../../shared/export-formats.ts'

/** `fileName` is the suggested download name: title and DTG (see `exportFileName`). */
export type ExportedFile = { body: Uint8Array | string; contentType: string; extension: string; fileName: string }

const FILE_TYPES: Record<ExportFormat, { contentType: string; extension: string }> = {
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
  md: { contentType: 'text/markdown; charset=utf-8', extension: 'md' },
  html: { contentType: 'text/html; charset=utf-8', extension: 'html' },
  stix: { contentType: 'application/stix+json;version=2.1', extension: 'stix.json' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'ach.csv' },
}

/** `maxBriefingChars`: a briefing (DOCX, PDF, Markdown, HTML) holding more text is refused before it is rendered (BriefingTooLarge). */
export type ExportOptions = { scope: ExportScope; maxBriefingChars?: number }

export async function exportBoard(format: ExportFormat, board: BoardModel, version: BriefingVersion, options: ExportOptions = { scope: 'all' }): Promise<ExportedFile> {
  const { contentType, extension } = FILE_TYPES[format]
  const dtg = dateTimeGroup(version.kind === 'snapshot' ? version.createdAt : version.at)
  const body = await render(format, board, version, options)
  return { body, contentType, extension, fileName: exportFileName(board.title, dtg, extension) }
}

function render(format: ExportFormat, board: BoardModel, version: BriefingVersion, options: ExportOptions): Promise<Uint8Array | string> | string {
  const { scope, maxBriefingChars = DEFAULT_BRIEFING_MAX_CHARS } = options
  const briefing = (): Briefing => withinSize(buildBriefing(board, version, { scope }), maxBriefingChars)
  switch (format) {
    // Built and measured before the renderer's library is even loaded.
    case 'docx': {
      const built = briefing()
      return import('./render-docx.ts').then(({ renderDocx }) => renderDocx(built))
    }
    case 'pdf': {
      const built = briefing()
      return import('./render-pdf.ts').then(({ renderPdf }) => renderPdf(built))
    }
    case 'md':
      return renderMarkdown(briefing())
    case 'html':
      return renderHtml(briefing())
    case 'stix':
      return renderStix(board, version, { scope })
    case 'json':
      return renderJson(scopeBoard(board, scope), version)
    case 'csv':
      return renderAchCsv(scopeBoard(board, scope))
  }
}

/** Longest title part of a file name; the DTG and extension follow it. */
const MAX_TITLE_CHARS = 80

/**
 * A file name that is safe on every system and in a Content-Disposition
 * header: the title in ASCII (accents dropped, anything else a hyphen), then
 * the DTG, e.g. `wagner-s-mutiny-and-nato-s-eastern-flank-281530Z-NOV-26.docx`.
 */
export function exportFileName(title: string, dtg: string, extension: string): string {
  const ascii = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
  const name = ascii(title).toLowerCase().slice(0, MAX_TITLE_CHARS).replace(/-+$/, '') || 'board'
  return `${name}-${ascii(dtg)}.${extension.replace(/[^A-Za-z0-9.]/g, '')}`
}
