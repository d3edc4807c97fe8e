/**
 * A board's history as the API and exports read it: the board as of a past
 * time and the editing sessions (who changed which field: change-listing.ts).
 * Read from storage here; rebuilt in a worker thread.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import type { AsOf, BoardHistory } from '../../shared/history-model.ts'
import type { Services } from '../services.ts'
import type { HistoryStore } from '../storage/storage.ts'
import { readAsOfLog, type AsOfLog } from './as-of-log.ts'
import { AuthorNames } from './authors.ts'
import { EditSessions, type RawSession } from './edit-sessions.ts'
import { pastReadLane, replayLane } from './replay-lane.ts'

type HistoryServices = Pick<Services, 'storage' | 'workers'>

/**
 * The stored pieces of the board as it was at `asOf` (as-of-log.ts); null when
 * there is no such board. The rows are read in a worker thread over its own
 * read-only connection, to the SQLite file or the PostgreSQL database
 * (past-log-job.ts), on the general threads when they are more than a live
 * board read replays (replay-lane.ts); where the history starts is read here
 * first, so that a time before it is refused without a job.
 */
export async function loadAsOfLog(services: HistoryServices, boardId: string, asOf: string): Promise<AsOfLog | null> {
  const { storage, workers } = services
  const { pastSource, history } = storage
  return readAsOfLog(services, boardId, asOf, async (id, at) => {
    const start = await history.startAt(id, at)
    if (start.keptFrom !== null) return { kind: 'not-kept', keptFrom: start.keptFrom }
    return workers.run('read-past-log', { source: pastSource, boardId: id, asOf: at }, { boardId: id, ...(await pastReadLane(history, id, at, start)) })
  })
}

export type BoardAsOfResult = Exclude<AsOfLog, { kind: 'kept' }> | { kind: 'rebuilt'; asOf: AsOf; state: Uint8Array; model: BoardModel }

/** The board as it was at `asOf`, rebuilt in a worker thread; null when there is no such board. */
export async function readBoardAsOf(services: HistoryServices, boardId: string, asOf: string): Promise<BoardAsOfResult | null> {
  const stored = await loadAsOfLog(services, boardId, asOf)
  if (stored?.kind !== 'kept') return stored
  // Read for this rebuild alone: its rows are moved to the thread, not copied.
  const { state, model, contentHash } = await services.workers.run('board-as-of', { boardId, log: stored.log }, { boardId, moveInput: true, ...replayLane(stored.log) })
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
