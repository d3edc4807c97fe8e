/**
 * A board as stored, on the main thread's side: the bytes are read from
 * storage here and handed to a worker thread, which rebuilds them
 * (board-state.ts), so a large board never holds up the relay.
 */
import type { Storage, StoredBoardState } from '../storage/storage.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import type { CapturedBoard, StoredLog } from './board-state.ts'

/** The live board captured, and the highest log sequence number it holds: what dates its content (storage.ts, NewSnapshot). */
export type LiveCapture = CapturedBoard & { heldThroughSeq: number }

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
export async function captureStoredBoard(parts: StoredBoards, boardId: string): Promise<LiveCapture | null> {
  const log = await readStoredLog(parts.storage, boardId)
  if (!log) return null
  const { lastSeq, ...stored } = log
  return { ...(await parts.workers.run('capture-board', { boardId, log: stored })), heldThroughSeq: lastSeq }
}

/** The board's stored log; null when there is no such board. */
export async function readStoredLog(storage: Storage, boardId: string): Promise<(StoredLog & Pick<StoredBoardState, 'updates' | 'rowSeqs' | 'lastSeq'>) | null> {
  if (!(await storage.boards.get(boardId))) return null
  const { checkpoint, updates, rowSeqs, lastSeq } = await storage.log.load(boardId)
  return { checkpoint, updates, rowSeqs, lastSeq }
}
