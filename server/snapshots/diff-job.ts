/** Inside a worker thread: two versions of a board compared, as the diff API's JSON body. */
import { diffBoards, isEmptyDiff, type BoardDiff } from '../../shared/board-diff.ts'
import type { WordDiffBounds } from '../../shared/word-diff-bounds.ts'
import type { VersionRef } from '../../shared/snapshot-model.ts'
import { jsonText, type JsonText } from '../http/json-text.ts'
import { sourceModel, type BoardSource } from './board-state.ts'
import { boardContentHash } from './content-hash.ts'

/** A side as read from storage: the live board's content hash is only known once it is rebuilt here. */
export type VersionSide = {
  ref: Extract<VersionRef, { kind: 'snapshot' }> | Omit<Extract<VersionRef, { kind: 'live' }>, 'contentHash'>
  source: BoardSource
}

export type VersionsDiff = { from: VersionRef; to: VersionRef; empty: boolean; diff: BoardDiff }

export type DiffJob = { boardId: string; from: VersionSide; to: VersionSide; words: WordDiffBounds }

/** Serialized here, so that the relay's thread only sends the text of a large comparison. */
export function diffSides({ boardId, from, to, words }: DiffJob): JsonText<VersionsDiff> {
  const before = read(boardId, from)
  const after = read(boardId, to)
  const diff = diffBoards(before.model, after.model, words)
  return jsonText<VersionsDiff>({ from: before.ref, to: after.ref, empty: isEmptyDiff(diff), diff })
}

function read(boardId: string, side: VersionSide) {
  const model = sourceModel(boardId, side.source)
  const ref: VersionRef = side.ref.kind === 'live' ? { ...side.ref, contentHash: boardContentHash(model) } : side.ref
  return { ref, model }
}
