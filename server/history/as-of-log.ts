/**
 * The stored pieces of a board as it was at a past time: the latest kept
 * checkpoint before it and the log rows after it up to that time. The server
 * reads them in a worker thread over a read-only connection of its own
 * (past-log-job.ts): on the relay's thread, SQLite's reads and PostgreSQL's
 * driver taking the rows apart held it.
 */
import { packUpdates } from '../relay/merge-state.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { HistoryStart, HistoryStore, Storage } from '../storage/storage.ts'

/** Where the board as of a time is rebuilt from, or why it cannot be. */
export type AsOfLog =
  | { kind: 'kept'; log: StoredLog; at: string; exact: boolean }
  /** The time is before the oldest history still kept. */
  | { kind: 'not-kept'; keptFrom: string }
  /** The time is before the board was created. */
  | { kind: 'before-board'; createdAt: string }

/** What the history holds of a time on a board created before it. */
export type PastLog = Exclude<AsOfLog, { kind: 'before-board' }>

/** Reads that found the history thinned under them are begun again this many times at most. */
const AS_OF_ATTEMPTS = 3

/**
 * The stored pieces of the board as it was at `asOf` (an ISO time), or why
 * there are none; null when there is no such board. `readPast` reads them once
 * the board is known to have existed then: here by default, or in a worker
 * thread (read-history.ts).
 */
export async function readAsOfLog(
  services: { storage: Pick<Storage, 'boards' | 'history'> },
  boardId: string,
  asOf: string,
  readPast: (boardId: string, asOf: string) => Promise<PastLog> = (id, at) => readPastLog(services.storage.history, id, at),
): Promise<AsOfLog | null> {
  const board = await services.storage.boards.get(boardId)
  if (!board) return null
  if (asOf < board.createdAt) return { kind: 'before-board', createdAt: board.createdAt }
  return readPast(boardId, asOf)
}

/**
 * The latest kept checkpoint before `asOf` and the rows up to it. `at` is the
 * moment they hold: `asOf` itself, or the checkpoint's time when the rows
 * after it were thinned away.
 *
 * The rows are read a page at a time (HistoryStore.rowsUpTo; between two kept
 * checkpoints an hour of typing may be some 200,000), so thinning may run in
 * between: the start is read again after the rows, and the read begun again if
 * it moved.
 */
export async function readPastLog(history: Pick<HistoryStore, 'startAt' | 'rowsUpTo' | 'checkpointState'>, boardId: string, asOf: string): Promise<PastLog> {
  for (let attempt = 1; ; attempt++) {
    const start = await history.startAt(boardId, asOf)
    if (start.keptFrom !== null) return { kind: 'not-kept', keptFrom: start.keptFrom }
    const { checkpoint } = start
    const updates: Uint8Array[] = []
    const rowSeqs: number[] = []
    for await (const page of history.rowsUpTo(boardId, { afterSeq: checkpoint?.throughSeq ?? 0, at: asOf })) {
      for (const row of page) {
        updates.push(row.update)
        rowSeqs.push(row.seq)
      }
    }
    const state = checkpoint ? await history.checkpointState(boardId, checkpoint.throughSeq) : null
    if (sameStart(start, await history.startAt(boardId, asOf)) && (state !== null || checkpoint === null)) {
      const exact = checkpoint?.rowsKept ?? true
      // Packed, as the rows are: 100,000 numbers as an array took the relay's thread some 15 ms to post to a thread, and again to receive from one.
      const seqs = Float64Array.from(rowSeqs)
      return { kind: 'kept', log: { checkpoint: state, updates: packUpdates(updates), rowSeqs: seqs }, at: exact || !checkpoint ? asOf : checkpoint.at, exact }
    }
    if (attempt === AS_OF_ATTEMPTS) throw new Error(`the history of board ${boardId} kept being thinned while it was read`)
  }
}

const sameStart = (a: HistoryStart, b: HistoryStart) =>
  a.keptFrom === b.keptFrom && a.checkpoint?.throughSeq === b.checkpoint?.throughSeq && a.checkpoint?.rowsKept === b.checkpoint?.rowsKept
