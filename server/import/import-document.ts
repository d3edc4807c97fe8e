import * as Y from 'yjs'
import { BoardError, entity } from '../../shared/board-doc.ts'
import type { ImportPreview, ImportResult } from '../../shared/import/apply-import.ts'
import type { Principal } from '../access/access.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import { LoadingTooMuch } from '../relay/cold-loads.ts'
import { catchUp, previewedLog, type LoadedLog, type PreparedChanges } from '../boards/prepared-changes.ts'
import type { ChangeCheck } from '../relay/room.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'
import { counted, requireWritable } from '../relay/written-budget.ts'
import type { StoredBoards } from '../snapshots/stored-board.ts'
import { importApplies } from './apply-lane.ts'
import type { ImportInput } from './import-job.ts'
import { quoted } from '../../shared/bidi.ts'

export type ImportRequest = { document: ImportInput; title?: string | undefined; preview: boolean }

/**
 * Imports a source document into a board as one change (or only previews it).
 * Reading and parsing run in a worker thread before the board is read (a
 * document that would import nothing is refused without reading it), then
 * planning, in a worker thread too, on the board as stored;
 * the room then applies the result as one update. Parsing fails before the
 * board is touched, so a refused import changes nothing. A preview plans on the
 * board as stored now without taking the board's turn (it changes nothing, so
 * it neither waits for nor delays the board's imports and restores), nor
 * loading the board when nobody holds it here (prepared-changes.ts); the
 * import it previews is planned again in its turn. `check` decides again,
 * right before the result is applied, whether `by` may still make the change:
 * planning, and waiting behind other imports and restores, take long enough for a right to
 * be taken away meanwhile (the command line has none: its operator holds every
 * right). What it adds counts against what `by` may add to boards this
 * hour. The result is applied in the process's lane for imports
 * (apply-lane.ts), one import at a time. Null when there is no such board.
 */
export async function importDocument(
  services: StoredBoards & { rooms: RoomRegistry; preparedChanges: PreparedChanges },
  boardId: string,
  request: ImportRequest,
  by: Principal,
  check?: ChangeCheck,
): Promise<ImportPreview | ImportResult | null> {
  // Without an account (the command line's operator) there is no budget. A preview changes nothing, so adds nothing to the hour's.
  const payer = by.userId === null ? undefined : services.rooms.ratesOf(by.userId)
  const rates = request.preview ? null : (payer ?? null)
  requireWritable(rates, 'text' in request.document ? request.document.text.length : request.document.file.bytes.byteLength)
  // Every import and preview reads the board's log on its person (storedLog): refused before any work once they have spent their minute.
  if (payer && !payer.mayLoad()) throw new LoadingTooMuch(`an import or preview of board ${boardId} by ${by.userId}, who has loaded as much as they may this minute`)
  // Parsed before the board is read, so that a document that would import nothing costs no read of the board's log.
  const parsed = await services.workers.run('parse-document', { document: request.document, title: request.title })
  const plan = (log: LoadedLog) => services.workers.run('import-document', { log, parsed, preview: request.preview, by: by.name })
  // The person pays for every read of the board's log, and for an import's load of the board when nobody holds it here.
  if (request.preview) {
    const log = await previewedLog(services, boardId, payer)
    return log && (await plan(log)).result
  }
  return services.preparedChanges.onStoredBoard(services, boardId, async (room, log, turn) => {
    const { result, update, found } = await plan(log)
    if (update) {
      await importApplies.run(async () => {
        catchUp(room, log, Y.decodeSnapshot(found))
        const origin = serverOrigin(by.userId ?? by.name)
        await room.change(
          counted(rates, (doc) => {
            requireSources(doc, result)
            // Checked again as it is applied: every import a person sent at once passed the check above before any was counted.
            requireWritable(rates, update.byteLength)
            Y.applyUpdate(doc, update, origin)
          }),
          check,
          { turn },
        )
      })
    }
    return result
  }, payer)
}

/** A source the plan reused may have been deleted while it was made: its claims would then name nothing. */
function requireSources(doc: Y.Doc, plan: ImportPreview): void {
  const gone = plan.sources.find((source) => source.id !== null && !entity(doc, 'sources', source.id))
  if (gone) throw new BoardError('conflict', `The source ${quoted(gone.name)} was deleted while the document was being imported. Import it again.`)
}
