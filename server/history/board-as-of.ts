/**
 * Inside a worker thread: the board as it was at a past time, rebuilt from a
 * kept checkpoint and the rows after it up to that time. Rows are whole
 * transactions, so the state is one the board really had.
 */
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { withBoardDoc, type StoredLog } from '../snapshots/board-state.ts'
import { boardContentHash } from '../snapshots/content-hash.ts'

export type BoardAsOfJob = { boardId: string; log: StoredLog }

export type BoardAsOf = { state: Uint8Array; model: BoardModel; contentHash: string }

export function boardAsOf({ boardId, log }: BoardAsOfJob): BoardAsOf {
  return withBoardDoc({ log }, (doc) => {
    const model = boardToModel(doc, boardId)
    return { state: Y.encodeStateAsUpdate(doc), model, contentHash: boardContentHash(model) }
  })
}
