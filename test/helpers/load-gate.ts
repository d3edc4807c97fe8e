/**
 * The real storage, with its update-log loads held at a test's word: work that
 * reads a board as stored (an import planning against it, a room loading it)
 * waits there, after its request's access check and before its change, for as
 * long as the test needs.
 */
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'

export class LoadGate {
  /** Loads waiting at the gate now. */
  waiting = 0
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null

  /** Loads from now on wait until release(). */
  hold(): void {
    this.gate ??= new Promise((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open?.()
    this.gate = null
    this.open = null
  }

  wrap = (storage: Storage): Storage => {
    const log = storage.log
    const load: UpdateLogStore['load'] = async (boardId) => {
      if (this.gate) {
        this.waiting++
        await this.gate.finally(() => this.waiting--)
      }
      return log.load(boardId)
    }
    return {
      ...storage,
      log: { append: (boardId, entries) => log.append(boardId, entries), load, compact: (boardId, merge) => log.compact(boardId, merge), count: (boardId) => log.count(boardId) },
    }
  }
}
