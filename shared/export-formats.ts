/** The formats a board or snapshot exports to: the route validates against this list and the export dialog offers it. */
export const EXPORT_FORMATS = ['docx', 'pdf', 'md', 'html', 'stix', 'json', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value)
}
