/** The history routes of the server (README, "History"), typed with the shared shapes. */
import { CHANGES_TRUNCATED_HEADER, type AsOf, type AssessmentChange, type BoardHistory } from '../../../shared/history-model.ts'
import type { SnapshotSummary } from '../../../shared/snapshot-model.ts'
import { api, ApiProblem, fetchResponse } from '../app/api.ts'

const board = (boardId: string) => `/api/boards/${encodeURIComponent(boardId)}`

export type ChangeQuery = { assessmentId?: string; from?: string; to?: string }

/** The server's refusals of a costly history read for now (server/http/history-reads.ts): a moment later it may be served. */
const BUSY_CODES: ReadonlySet<string> = new Set(['too_many_history_reads', 'history_reads_busy'])
const TRIES = 3
const LONGEST_WAIT_SECONDS = 30

/**
 * How a costly read waits out a busy server: `signal` ends the wait (a newer
 * moment asked for, the view closed), and `onWait` hears the seconds before
 * the next try, then null when it is made.
 */
export type Patience = { signal: AbortSignal; onWait: (seconds: number | null) => void }

/** What the view says while it waits to try a busy read again. */
export const waitingNote = (seconds: number) => `Many history reads at once: trying again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}…`

/**
 * `read`, tried again after the server's Retry-After while the server refuses
 * it as busy, up to TRIES times; the last refusal is thrown as it came. Once
 * `signal` aborts, its reason is thrown instead of any answer, so a superseded
 * read never reaches the view.
 */
async function patiently<T>(read: () => Promise<T>, { signal, onWait }: Patience): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      const answer = await read()
      signal.throwIfAborted()
      return answer
    } catch (error) {
      signal.throwIfAborted()
      if (!(error instanceof ApiProblem && error.status === 429 && BUSY_CODES.has(error.code)) || tries >= TRIES) throw error
      const seconds = Math.min(error.retryAfter ?? 1, LONGEST_WAIT_SECONDS)
      onWait(seconds)
      await abortableDelay(seconds * 1000, signal)
      onWait(null)
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const stop = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    signal.addEventListener('abort', stop, { once: true })
  })
}

export const historyApi = {
  history: (boardId: string, patience: Patience) => patiently(() => api<BoardHistory>('GET', `${board(boardId)}/history`), patience),
  /** The newest changes, oldest first; `truncated` when the server left older ones out. */
  async changes(boardId: string, query: ChangeQuery): Promise<{ changes: AssessmentChange[]; truncated: boolean }> {
    const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined))
    const response = await fetchResponse(`${board(boardId)}/history/changes?${params}`)
    return { changes: (await response.json()) as AssessmentChange[], truncated: response.headers.get(CHANGES_TRUNCATED_HEADER) === 'true' }
  },
  /** The board as it was at `asOf`, as one Yjs update, and the moment it holds. */
  state: (boardId: string, asOf: string, patience: Patience): Promise<{ state: Uint8Array; asOf: AsOf }> =>
    patiently(async () => {
      const response = await fetchResponse(`${board(boardId)}/history/state?asOf=${encodeURIComponent(asOf)}`)
      return { state: new Uint8Array(await response.arrayBuffer()), asOf: JSON.parse(response.headers.get('assay-as-of') ?? 'null') as AsOf }
    }, patience),
  snapshot: (boardId: string, label: string, asOf: string) => api<SnapshotSummary>('POST', `${board(boardId)}/snapshots`, { label, asOf }),
}
