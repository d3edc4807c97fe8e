/**
 * The real storage, with each read of a snapshot's stored state first
 * heard by `beforeRead`, which may count it, or wait at a gate, before the
 * read goes on.
 */
import type { Storage } from '../../server/storage/storage.ts'

export function gateSnapshotStates(storage: Storage, beforeRead: () => Promise<void>): Storage {
  const { snapshots } = storage
  return {
    ...storage,
    snapshots: Object.assign(Object.create(snapshots) as typeof snapshots, {
      state: async (boardId: string, id: string) => {
        await beforeRead()
        return snapshots.state(boardId, id)
      },
    }),
  }
}
