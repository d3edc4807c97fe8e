/**
 * A board's live content or one of its snapshots, exported: the version the
 * briefing cites (label, time, content hash, review) comes from what is
 * exported, and every export is written to the audit log. The checks listed
 * before an export read the same version through loadVersion.
 */
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import type { ExportScope } from '../../shared/export-scope.ts'
import { retractedSince } from '../../shared/retracted-since.ts'
import type { Principal } from '../access/access.ts'
import { audit } from '../access/audit.ts'
import type { Services } from '../services.ts'
import { boardContentHash } from '../snapshots/content-hash.ts'
import { loadSnapshotModel } from '../snapshots/load-snapshot.ts'
import { exportBoard, type BriefingVersion, type ExportedFile, type ExportFormat } from './export-board.ts'

export type ExportRequest = { boardId: string; format: ExportFormat; snapshotId?: string | undefined; scope?: ExportScope | undefined }

export type LoadedVersion = { model: BoardModel; version: BriefingVersion }

async function liveModel(services: Services, boardId: string): Promise<BoardModel | null> {
  return services.rooms.withRoom(boardId, (room) => room.read((doc) => boardToModel(doc, boardId)))
}

/**
 * The live board, or a snapshot with its review (verdicts, sign-offs) and
 * what it relied on that has been retracted since. Null when there is no such
 * board or no such snapshot of it.
 */
export async function loadVersion(services: Services, boardId: string, snapshotId: string | undefined): Promise<LoadedVersion | null> {
  if (snapshotId === undefined) {
    const model = await liveModel(services, boardId)
    return model && { model, version: { kind: 'live', at: new Date().toISOString(), hash: boardContentHash(model) } }
  }
  const [loaded, verdicts, signoffs] = await Promise.all([
    loadSnapshotModel(services, boardId, snapshotId),
    services.storage.reviews.verdicts(snapshotId),
    services.storage.reviews.signoffs(snapshotId),
  ])
  if (!loaded) return null
  const live = await liveModel(services, boardId)
  return {
    model: loaded.model,
    version: {
      kind: 'snapshot',
      label: loaded.snapshot.label,
      hash: loaded.snapshot.contentHash,
      createdAt: loaded.snapshot.createdAt,
      ...(loaded.previous ? { previous: loaded.previous } : {}),
      verdicts: verdicts.map(({ assessmentId, reviewerId, verdict, createdAt }) => ({ assessmentId, reviewerId, verdict, createdAt })),
      signoffs: signoffs.map(({ reviewerName, decision, note, createdAt }) => ({ reviewerName, decision, note, createdAt })),
      ...(live ? { retractedSince: retractedSince(loaded.model, live) } : {}),
    },
  }
}

/** Null when there is no such board or no such snapshot of it. */
export async function exportVersion(services: Services, request: ExportRequest, by: Principal): Promise<ExportedFile | null> {
  const { boardId, format, snapshotId, scope = 'all' } = request
  const content = await loadVersion(services, boardId, snapshotId)
  if (!content) return null
  const file = await exportBoard(format, content.model, content.version, { scope })
  await audit(services, {
    actor: by,
    action: 'export',
    boardId,
    detail: { format, snapshotId: snapshotId ?? null, hash: content.version.hash, scope },
  })
  return file
}
