/**
 * The real storage, with its update-log loads held at a test's word: work that
 * reads a board as stored (an import planning against it, a room loading it)
 * waits there, after its request's access check and before its change, for as
 * long as the test needs.
 */
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'
import { Gate } from './gate.ts'

export class LoadGate extends Gate {
  wrap = (storage: Storage): Storage => {
    const log = storage.log
    const load: UpdateLogStore['load'] = async (boardId) => {
      await this.pass()
      return log.load(boardId)
    }
    return {
      ...storage,
      log: { append: (boardId, entries) => log.append(boardId, entries), load, compact: (boardId, merge) => log.compact(boardId, merge), count: (boardId) => log.count(boardId) },
    }
  }
}
