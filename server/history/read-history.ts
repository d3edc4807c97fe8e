/**
 * A board's history as the API and exports read it: the board as of a past
 * time and the editing sessions (who changed which field: change-listing.ts).
 * Read from storage here; rebuilt in a worker thread.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { AsOf, BoardHistory } from '../../shared/history-model.ts'
import { packUpdates } from '../relay/merge-state.ts'
import type { Services } from '../services.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { HistoryStart, HistoryStore } from '../storage/storage.ts'
import { AuthorNames } from './authors.ts'
import { EditSessions, type RawSession } from './edit-sessions.ts'
import { replayLane } from './replay-lane.ts'

type HistoryServices = Pick<Services, 'storage' | 'workers'>

/** Where the board as of a time is rebuilt from, or why it cannot be. */
export type AsOfLog =
  | { kind: 'kept'; log: StoredLog; at: string; exact: boolean }
  /** The time is before the oldest history still kept. */
  | { kind: 'not-kept'; keptFrom: string }
  /** The time is before the board was created. */
  | { kind: 'before-board'; createdAt: string }

/** Reads that found the history thinned under them are begun again this many times at most. */
const AS_OF_ATTEMPTS = 3

/**
 * The stored pieces of the board as it was at `asOf` (an ISO time): the latest
 * kept checkpoint before it and the rows up to it. `at` is the moment they
 * hold: `asOf` itself, or the checkpoint's time when the rows after it were
 * thinned away. Null when there is no such board.
 *
 * The rows are read a page at a time (HistoryStore.rowsUpTo; between two kept
 * checkpoints an hour of typing may be some 200,000), so thinning may run in
 * between: the start is read again after the rows, and the read begun again if
 * it moved.
 */
export async function readAsOfLog(services: Pick<Services, 'storage'>, boardId: string, asOf: string): Promise<AsOfLog | null> {
  const { boards, history } = services.storage
  const board = await boards.get(boardId)
  if (!board) return null
  if (asOf < board.createdAt) return { kind: 'before-board', createdAt: board.createdAt }
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
      return { kind: 'kept', log: { checkpoint: state, updates: packUpdates(updates), rowSeqs }, at: exact || !checkpoint ? asOf : checkpoint.at, exact }
    }
    if (attempt === AS_OF_ATTEMPTS) throw new Error(`the history of board ${boardId} kept being thinned while it was read`)
  }
}

const sameStart = (a: HistoryStart, b: HistoryStart) =>
  a.keptFrom === b.keptFrom && a.checkpoint?.throughSeq === b.checkpoint?.throughSeq && a.checkpoint?.rowsKept === b.checkpoint?.rowsKept

export type BoardAsOfResult = Exclude<AsOfLog, { kind: 'kept' }> | { kind: 'rebuilt'; asOf: AsOf; state: Uint8Array; model: BoardModel }

/** The board as it was at `asOf`, rebuilt in a worker thread; null when there is no such board. */
export async function readBoardAsOf(services: HistoryServices, boardId: string, asOf: string): Promise<BoardAsOfResult | null> {
  const stored = await readAsOfLog(services, boardId, asOf)
  if (stored?.kind !== 'kept') return stored
  const { state, model, contentHash } = await services.workers.run('board-as-of', { boardId, log: stored.log }, { boardId, ...replayLane(stored.log) })
  return { kind: 'rebuilt', asOf: { asOf, at: stored.at, exact: stored.exact, contentHash }, state, model }
}

/** Rows read for one listing of sessions at most: a week of a busy board. */
const MAX_ROWS = 200_000
/** Rows read in one turn of the event loop (a few milliseconds on SQLite), the relay's work going on between. */
const ROWS_PER_PAGE = 2_000
/** Sessions listed at most. */
const MAX_SESSIONS = 1000

/**
 * The editing sessions in [from, to], each under its log origin, and the
 * moments kept from before the detail window: what a history read keeps
 * (http/history-reads.ts) until the log changes. Not who the origins are: a
 * person renamed since is shown under their new name at once (`namedHistory`).
 */
export type BoardHistoryByOrigin = Omit<BoardHistory, 'sessions'> & { sessions: RawSession[] }

export async function readBoardHistory(services: HistoryServices, boardId: string, range: { from: string; to: string }): Promise<BoardHistoryByOrigin> {
  const { history } = services.storage
  const [{ sessions, rows }, checkpoints, keptFrom] = await Promise.all([sessionsIn(history, boardId, range), history.checkpoints(boardId), history.keptFrom(boardId)])
  const firstDetailed = checkpoints.find((checkpoint) => checkpoint.rowsKept)
  const detailFrom = checkpoints.some((checkpoint) => !checkpoint.rowsKept) ? (firstDetailed?.at ?? null) : keptFrom
  return {
    sessions: sessions.slice(0, MAX_SESSIONS),
    keptMoments: checkpoints
      .filter((checkpoint) => !checkpoint.rowsKept)
      .map((checkpoint) => checkpoint.at)
      .reverse(),
    detailFrom,
    truncated: rows === MAX_ROWS || sessions.length > MAX_SESSIONS,
  }
}

/** The history with each session under its person's name as the accounts hold it now. */
export async function namedHistory(services: Pick<Services, 'storage'>, history: BoardHistoryByOrigin): Promise<BoardHistory> {
  const names = new AuthorNames(services.storage)
  const sessions = await Promise.all(history.sessions.map(async (session) => ({ by: await names.of(session.origin), from: session.from, to: session.to, edits: session.edits })))
  return { ...history, sessions }
}

/** The editing sessions of the newest MAX_ROWS rows in the range, newest first, and how many rows they hold. */
async function sessionsIn(history: HistoryStore, boardId: string, range: { from: string; to: string }): Promise<{ sessions: RawSession[]; rows: number }> {
  const sessions = new EditSessions()
  let rows = 0
  let beforeSeq: number | undefined
  while (rows < MAX_ROWS) {
    const page = await history.rowInfo(boardId, { ...range, limit: Math.min(ROWS_PER_PAGE, MAX_ROWS - rows), beforeSeq })
    sessions.addOlder(page)
    rows += page.length
    if (page.length < ROWS_PER_PAGE) break
    beforeSeq = page[0]!.seq
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { sessions: sessions.newestFirst(), rows }
}
