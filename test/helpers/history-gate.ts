/**
 * The real storage, with its reads of boards' histories stopped where a test
 * says: `startAt` hears the moment a rebuild of the board as of a past time
 * (or an export, checks or snapshot of one) starts from, `rowInfo` each read
 * of the rows the editing sessions are made of, `changes` each page of a
 * listing of changes read with its filter; each may count it, or wait at a
 * gate, before the read goes on.
 */
import type { ChangeFilter, Storage } from '../../server/storage/storage.ts'

export type HistoryReadHooks = { startAt?: (at: string) => Promise<void>; rowInfo?: () => Promise<void>; changes?: (filter: ChangeFilter) => Promise<void> }

export function gateHistoryReads(storage: Storage, hooks: HistoryReadHooks): Storage {
  const { history } = storage
  return {
    ...storage,
    history: Object.assign(Object.create(history) as typeof history, {
      startAt: async (boardId: string, at: string) => {
        await hooks.startAt?.(at)
        return history.startAt(boardId, at)
      },
      rowInfo: async (boardId: string, range: Parameters<typeof history.rowInfo>[1]) => {
        await hooks.rowInfo?.()
        return history.rowInfo(boardId, range)
      },
      changes: async (boardId: string, filter: ChangeFilter) => {
        await hooks.changes?.(filter)
        return history.changes(boardId, filter)
      },
    }),
  }
}
