/**
 * The real storage, with its update-log loads held at a test's word: work that
 * reads a board as stored (an import planning against it, a room loading it)
 * waits there, after its request's access check and before its change, for as
 * long as the test needs. Held `before-read`, the load reads once released;
 * held `after-read`, it has read the log and waits to hand it over, so what it
 * gives is the board as stored before the wait.
 */
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'
import { Gate } from './gate.ts'
import { logWith } from './log-with.ts'

export class LoadGate extends Gate {
  /** Update-log loads that came to the gate, held or not: the reads of a whole board as stored. */
  loads = 0

  constructor(private readonly at: 'before-read' | 'after-read' = 'before-read') {
    super()
  }

  wrap = (storage: Storage): Storage => {
    const log = storage.log
    const load: UpdateLogStore['load'] = async (boardId) => {
      this.loads++
      if (this.at === 'before-read') await this.pass()
      const stored = await log.load(boardId)
      if (this.at === 'after-read') await this.pass()
      return stored
    }
    return {
      ...storage,
      log: logWith(log, { load }),
    }
  }
}
