/** The two sides of a diff, each a snapshot or the live board, and what changed between them. */
import { diffBoards, isEmptyDiff, type BoardDiff } from '../../shared/board-diff.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIVE, type VersionRef } from '../../shared/snapshot-model.ts'
import type { Services } from '../services.ts'
import { captureStoredBoard } from './board-state.ts'
import { readSnapshot } from './load-snapshot.ts'

export type BoardVersion = { ref: VersionRef; model: BoardModel }

export type VersionsDiff = { from: VersionRef; to: VersionRef; empty: boolean; diff: BoardDiff }

/** A snapshot id or `live`; null when the board has no such snapshot (or no longer exists). */
export async function readVersion(services: Pick<Services, 'storage'>, boardId: string, version: string): Promise<BoardVersion | null> {
  if (version === LIVE) {
    const at = new Date().toISOString()
    const live = await captureStoredBoard(services.storage, boardId)
    return live ? { ref: { kind: 'live', at, contentHash: live.contentHash }, model: live.model } : null
  }
  const loaded = await readSnapshot(services.storage, boardId, version)
  if (!loaded) return null
  const { id, label, createdAt, contentHash } = loaded.snapshot
  return { ref: { kind: 'snapshot', id, label, createdAt, contentHash }, model: loaded.model }
}

export function diffVersions(from: BoardVersion, to: BoardVersion): VersionsDiff {
  const diff = diffBoards(from.model, to.model)
  return { from: from.ref, to: to.ref, empty: isEmptyDiff(diff), diff }
}
