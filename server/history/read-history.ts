/**
 * A board's history as the API and exports read it: the board as of a past
 * time, who changed which assessment field, and the editing sessions. Read
 * from storage here; rebuilt and replayed in a worker thread.
 */
import type { BoardModel } from '../../shared/board-model.ts'
import { EDIT_SESSION_GAP_MS, type AsOf, type AssessmentChange, type AttributedField, type BoardHistory } from '../../shared/history-model.ts'
import { packUpdates } from '../relay/merge-state.ts'
import type { Services } from '../services.ts'
import type { StoredLog } from '../snapshots/board-state.ts'
import type { AssessmentChangeRecord, ChangeFilter, HistoryStart, HistoryStore, StoredChange } from '../storage/storage.ts'
import { AuthorNames } from './authors.ts'
import { EditSessions, type RawSession } from './edit-sessions.ts'
import { MAX_LISTED_VALUE_CHARS, newestWithin, valueChars } from './newest-changes.ts'

type HistoryServices = Pick<Services, 'storage' | 'workers' | 'tailChanges' | 'clock'>

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
    for await (const page of history.rowsUpTo(boardId, { afterSeq: checkpoint?.throughSeq ?? 0, at: asOf })) for (const row of page) updates.push(row.update)
    const state = checkpoint ? await history.checkpointState(boardId, checkpoint.throughSeq) : null
    if (sameStart(start, await history.startAt(boardId, asOf)) && (state !== null || checkpoint === null)) {
      const exact = checkpoint?.rowsKept ?? true
      return { kind: 'kept', log: { checkpoint: state, updates: packUpdates(updates) }, at: exact || !checkpoint ? asOf : checkpoint.at, exact }
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
  const { state, model, contentHash } = await services.workers.run('board-as-of', { boardId, log: stored.log })
  return { kind: 'rebuilt', asOf: { asOf, at: stored.at, exact: stored.exact, contentHash }, state, model }
}

/** Recorded changes read in one turn of the event loop: on SQLite, up to some 8 MB of values of the longest judgments, a few milliseconds. */
const CHANGES_PER_PAGE = 100
/** The newest changes asked for, oldest first; `complete` is false when older ones that match were left out (past `limit` or the characters a listing holds). */
export type ChangeListing = { changes: AssessmentChange[]; complete: boolean }

/**
 * Who changed which assessment field: what compaction recorded, and what the
 * rows since the latest checkpoint show (tail-changes.ts). The recorded changes
 * are read up to the checkpoint the newest rows start from, so a compaction
 * in between can neither hide a change nor count it twice.
 */
export async function readAssessmentChanges(services: HistoryServices, boardId: string, filter: Omit<ChangeFilter, 'throughSeq' | 'before'>): Promise<ChangeListing> {
  const recent = await services.tailChanges.of(boardId)
  const inRange = recent.changes.filter(
    (change) =>
      (filter.assessmentId === undefined || change.assessmentId === filter.assessmentId) &&
      (filter.from === undefined || change.at > filter.from) &&
      (filter.to === undefined || change.at <= filter.to),
  )
  // Past what a listing holds, the newest rows' oldest changes were left out: nothing older is listed then, or it would follow a gap.
  const recorded = recent.complete
    ? await readRecorded(services.storage.history, boardId, { ...filter, throughSeq: recent.throughSeq }, MAX_LISTED_VALUE_CHARS - inRange.reduce((sum, change) => sum + valueChars(change), 0))
    : { changes: [], complete: false }
  const coalesced = coalesce([...recorded.changes, ...inRange])
  const listed = newestWithin(coalesced, filter.limit)
  const names = new AuthorNames(services.storage)
  const changes = await Promise.all(
    listed.map(async (change) => ({
      assessmentId: change.assessmentId,
      field: change.field as AttributedField,
      from: JSON.parse(change.fromValue) as unknown,
      to: JSON.parse(change.toValue) as unknown,
      by: await names.of(change.author),
      firstAt: change.firstAt,
      at: change.at,
    })),
  )
  return { changes, complete: recorded.complete && listed.length === coalesced.length }
}

/**
 * The newest recorded changes that match, oldest first: `limit` of them, or
 * fewer when their values pass `maxChars`. Read a page at a time, newest
 * first, the relay's work going on between pages.
 */
async function readRecorded(history: HistoryStore, boardId: string, filter: ChangeFilter, maxChars: number): Promise<{ changes: StoredChange[]; complete: boolean }> {
  const newestFirst: StoredChange[] = []
  let chars = 0
  const olderThanRead = (limit: number) => {
    const oldest = newestFirst.at(-1)
    return history.changes(boardId, { ...filter, limit, ...(oldest && { before: { seq: oldest.seq, id: oldest.id } }) })
  }
  for (;;) {
    const wanted = Math.min(CHANGES_PER_PAGE, filter.limit - newestFirst.length)
    const page = await olderThanRead(wanted)
    for (const change of page) {
      chars += valueChars(change)
      if (chars > maxChars) return { changes: newestFirst.reverse(), complete: false }
      newestFirst.push(change)
    }
    if (newestFirst.length === filter.limit) {
      const complete = (await olderThanRead(1)).length === 0
      return { changes: newestFirst.reverse(), complete }
    }
    if (page.length < wanted) return { changes: newestFirst.reverse(), complete: true }
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Joins a person's change of a field to their previous change of it when no
 * one else changed it in between and it came within a few minutes: the same
 * rule compaction applies within its rows, carried across compactions.
 */
function coalesce(changes: readonly AssessmentChangeRecord[]): AssessmentChangeRecord[] {
  const result: AssessmentChangeRecord[] = []
  const last = new Map<string, AssessmentChangeRecord>()
  for (const change of [...changes].sort((a, b) => a.seq - b.seq)) {
    const key = `${change.assessmentId}\u0000${change.field}`
    const previous = last.get(key)
    if (previous && previous.author === change.author && Date.parse(change.firstAt) - Date.parse(previous.at) <= EDIT_SESSION_GAP_MS) {
      previous.toValue = change.toValue
      previous.at = change.at
      previous.seq = change.seq
      continue
    }
    const copy = { ...change }
    result.push(copy)
    last.set(key, copy)
  }
  return result.filter((change) => change.fromValue !== change.toValue)
}

/** Rows read for one listing of sessions at most: a week of a busy board. */
const MAX_ROWS = 200_000
/** Rows read in one turn of the event loop (a few milliseconds on SQLite), the relay's work going on between. */
const ROWS_PER_PAGE = 2_000
/** Sessions listed at most. */
const MAX_SESSIONS = 1000

/** The editing sessions in [from, to], and the moments kept from before the detail window. */
export async function readBoardHistory(services: HistoryServices, boardId: string, range: { from: string; to: string }): Promise<BoardHistory> {
  const { history } = services.storage
  const [{ sessions, rows }, checkpoints, keptFrom] = await Promise.all([sessionsIn(history, boardId, range), history.checkpoints(boardId), history.keptFrom(boardId)])
  const names = new AuthorNames(services.storage)
  const firstDetailed = checkpoints.find((checkpoint) => checkpoint.rowsKept)
  const detailFrom = checkpoints.some((checkpoint) => !checkpoint.rowsKept) ? (firstDetailed?.at ?? null) : keptFrom
  return {
    sessions: await Promise.all(sessions.slice(0, MAX_SESSIONS).map(async (session) => ({ by: await names.of(session.origin), from: session.from, to: session.to, edits: session.edits }))),
    keptMoments: checkpoints
      .filter((checkpoint) => !checkpoint.rowsKept)
      .map((checkpoint) => checkpoint.at)
      .reverse(),
    detailFrom,
    truncated: rows === MAX_ROWS || sessions.length > MAX_SESSIONS,
  }
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
