/**
 * Counts the commits the database refused as they write under a client id
 * another account stored first (ClientIdTaken): the race of one fresh id on
 * two instances that the tests of client ids across instances are about.
 */
import { ClientIdTaken } from '../../server/storage/storage-errors.ts'
import type { Storage } from '../../server/storage/storage.ts'

export function takenCommits(): { wrap: (storage: Storage) => Storage; count: () => number } {
  let taken = 0
  const wrap = (storage: Storage): Storage => {
    const append = storage.log.append.bind(storage.log)
    storage.log.append = async (...args) => {
      try {
        return await append(...args)
      } catch (error) {
        if (error instanceof ClientIdTaken) taken++
        throw error
      }
    }
    return storage
  }
  return { wrap, count: () => taken }
}
