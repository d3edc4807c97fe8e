/**
 * A board's history found ahead of the server's clock by more than the
 * tolerance, and dated back to it (history-time.ts): the log stores ask how
 * far ahead history may be, and report each board they date back. The first
 * time for each board an `error` line names it, its newest time and the
 * clock's, since someone should find out why the clock was (or is) wrong;
 * every time is counted.
 */
import type { Logger } from '../log.ts'

export type FutureHistory = {
  /** How far ahead of the clock a board's history is still carried (HISTORY_CLOCK_TOLERANCE_MS). */
  readonly toleranceMs: number
  datedBack(boardId: string, newest: string, now: string): void
}

export function reportedFutureHistory(toleranceMs: number, logger: Logger, counted?: () => void): FutureHistory {
  const logged = new Set<string>()
  return {
    toleranceMs,
    datedBack(boardId, newest, now) {
      counted?.()
      if (logged.has(boardId)) return
      logged.add(boardId)
      logger.error(
        { boardId, newest, now, toleranceMs },
        'a board’s history was ahead of the clock: its times later than the clock are dated back to it (the clock was, or another instance’s is, ahead)',
      )
    },
  }
}
