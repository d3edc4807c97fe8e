import { applyImport, previewImport, type ImportPreview, type ImportResult } from '../../shared/import/apply-import.ts'
import { parseSourceText } from '../../shared/import/parse-source.ts'
import type { Principal } from '../access/access.ts'
import type { Services } from '../services.ts'

export type ImportRequest = { text: string; title?: string | undefined; preview: boolean }

/**
 * Imports a source document into a board's live room as one change (or only
 * previews it). Parsing fails before the board is touched, so a refused import
 * changes nothing. Null when there is no such board.
 */
export async function importDocument(
  services: Services,
  boardId: string,
  request: ImportRequest,
  by: Principal,
): Promise<ImportPreview | ImportResult | null> {
  const parsed = parseSourceText(request.text, request.title === undefined ? {} : { title: request.title })
  return services.rooms.withRoom(boardId, (room) =>
    request.preview
      ? room.read((doc) => previewImport(doc, parsed))
      : room.change((doc) => applyImport(doc, parsed, { by: by.name, origin: { source: 'server', by: by.userId ?? by.name } })),
  )
}
