/** The history routes of the server (README, "History"), typed with the shared shapes. */
import { CHANGES_TRUNCATED_HEADER, type AsOf, type AssessmentChange, type BoardHistory } from '../../../shared/history-model.ts'
import type { SnapshotSummary } from '../../../shared/snapshot-model.ts'
import { api, fetchResponse } from '../app/api.ts'
import { patiently, type Patience } from '../app/busy-retry.ts'

const board = (boardId: string) => `/api/boards/${encodeURIComponent(boardId)}`

export type ChangeQuery = { assessmentId?: string; from?: string; to?: string }

export const historyApi = {
  history: (boardId: string, patience: Patience) => patiently(() => api<BoardHistory>('GET', `${board(boardId)}/history`), patience),
  /** The newest changes, oldest first; `truncated` when the server left older ones out. */
  changes(boardId: string, query: ChangeQuery, patience: Patience): Promise<{ changes: AssessmentChange[]; truncated: boolean }> {
    const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined))
    return patiently(async () => {
      const response = await fetchResponse(`${board(boardId)}/history/changes?${params}`)
      return { changes: (await response.json()) as AssessmentChange[], truncated: response.headers.get(CHANGES_TRUNCATED_HEADER) === 'true' }
    }, patience)
  },
  /** The board as it was at `asOf`, as one Yjs update, and the moment it holds. */
  state: (boardId: string, asOf: string, patience: Patience): Promise<{ state: Uint8Array; asOf: AsOf }> =>
    patiently(async () => {
      const response = await fetchResponse(`${board(boardId)}/history/state?asOf=${encodeURIComponent(asOf)}`)
      return { state: new Uint8Array(await response.arrayBuffer()), asOf: JSON.parse(response.headers.get('assay-as-of') ?? 'null') as AsOf }
    }, patience),
  snapshot: (boardId: string, label: string, asOf: string) => api<SnapshotSummary>('POST', `${board(boardId)}/snapshots`, { label, asOf }),
}
