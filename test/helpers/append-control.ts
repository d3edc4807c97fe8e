/**
 * The real storage, with its update-log appends in a test's hands: held until
 * released (a commit in flight for as long as the test needs), or failing the
 * way a full disk fails them.
 */
import type { Storage, UpdateLogStore } from '../../server/storage/storage.ts'
import { Gate } from './gate.ts'
import { logWith } from './log-with.ts'

export class AppendControl extends Gate {
  /** Appends tried so far, failed ones included. */
  attempts = 0
  private failure: Error | null = null

  /** `controls`: the boards whose appends it holds or fails; the others' pass as they come (every board's by default). */
  constructor(private readonly controls: (boardId: string) => boolean = () => true) {
    super()
  }

  /** Appends from now on fail with `error` (null: they succeed again). */
  failWith(error: Error | null): void {
    this.failure = error
  }

  wrap = (storage: Storage): Storage => {
    const log = storage.log
    const append: UpdateLogStore['append'] = async (boardId, entries) => {
      if (!this.controls(boardId)) return log.append(boardId, entries)
      this.attempts++
      await this.pass()
      if (this.failure) throw this.failure
      return log.append(boardId, entries)
    }
    return {
      ...storage,
      log: logWith(log, { append }),
    }
  }
}

/** The error better-sqlite3 throws when the disk is full. */
export function diskFullError(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
}
