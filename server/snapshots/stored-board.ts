/**
 * A board as stored, on the main thread's side: the bytes are read from
 * storage here and handed to a worker thread, which rebuilds them
 * (board-state.ts), so a large board never holds up the relay.
 */
import type { Storage, StoredBoardState } from '../storage/storage.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import type { CapturedBoard, StoredLog } from './board-state.ts'

/** What reading and rebuilding stored boards takes. */
export type StoredBoards = { storage: Storage; workers: WorkerPool }

/**
 * The board's content as stored now: its checkpoint and every committed log
 * row, which is everything anyone has been shown (the relay broadcasts an
 * update only once it is committed). Read from the database rather than from
 * the live room, so a stream of edits cannot hold it up (a busy room is never
 * quite all saved), and so that edits committed by other instances are in it.
 * Null when there is no such board.
 */
export async function captureStoredBoard(parts: StoredBoards, boardId: string): Promise<CapturedBoard | null> {
  const log = await readStoredLog(parts.storage, boardId)
  return log && parts.workers.run('capture-board', { boardId, log })
}

/** The board's stored log; null when there is no such board. */
export async function readStoredLog(storage: Storage, boardId: string): Promise<(StoredLog & Pick<StoredBoardState, 'updates' | 'rowSeqs'>) | null> {
  if (!(await storage.boards.get(boardId))) return null
  const { checkpoint, updates, rowSeqs } = await storage.log.load(boardId)
  return { checkpoint, updates, rowSeqs }
}
