/**
 * A board's live content or one of its snapshots, exported: the version the
 * briefing cites (label, time and content hash) comes from what is exported,
 * and every export is written to the audit log.
 */
import { boardToModel } from '../../shared/board-convert.ts'
import type { Principal } from '../access/access.ts'
import { audit } from '../access/audit.ts'
import type { Services } from '../services.ts'
import { boardContentHash } from '../snapshots/content-hash.ts'
import { loadSnapshotModel } from '../snapshots/load-snapshot.ts'
import { exportBoard, type BriefingVersion, type ExportedFile, type ExportFormat } from './export-board.ts'

export type ExportRequest = { boardId: string; format: ExportFormat; snapshotId?: string | undefined }

/** Null when there is no such board or no such snapshot of it. */
export async function exportVersion(services: Services, request: ExportRequest, by: Principal): Promise<ExportedFile | null> {
  const { boardId, format, snapshotId } = request
  let content: { model: Parameters<typeof exportBoard>[1]; version: BriefingVersion } | null
  if (snapshotId === undefined) {
    const model = await services.rooms.withRoom(boardId, (room) => room.read((doc) => boardToModel(doc, boardId)))
    content = model && { model, version: { kind: 'live', at: new Date().toISOString(), hash: boardContentHash(model) } }
  } else {
    const [loaded, verdicts] = await Promise.all([loadSnapshotModel(services, boardId, snapshotId), services.storage.reviews.verdicts(snapshotId)])
    content = loaded && {
      model: loaded.model,
      version: {
        kind: 'snapshot',
        label: loaded.snapshot.label,
        hash: loaded.snapshot.contentHash,
        createdAt: loaded.snapshot.createdAt,
        ...(loaded.previous ? { previous: loaded.previous } : {}),
        verdicts: verdicts.map(({ assessmentId, reviewerId, verdict, createdAt }) => ({ assessmentId, reviewerId, verdict, createdAt })),
      },
    }
  }
  if (!content) return null
  const file = await exportBoard(format, content.model, content.version)
  await audit(services, { actor: by, action: 'export', boardId, detail: { format, snapshotId: snapshotId ?? null, hash: content.version.hash } })
  return file
}
