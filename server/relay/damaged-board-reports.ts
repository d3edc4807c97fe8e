/**
 * Refusals of damaged boards (damaged-board.ts), logged and counted. Every
 * request for such a board fails the same way until an operator repairs it,
 * so each damaged row is logged at error level once per process, with the
 * board and the row, rather than once per request; every refusal is counted.
 */
import type { Logger } from '../log.ts'
import type { BoardDamaged } from './damaged-board.ts'

/** Damaged rows logged at most; past it (a store damaged wholesale) the count goes on, and the log would say nothing new. */
const LOGGED_AT_MOST = 1000

export class DamagedBoardReports {
  private readonly logged = new Set<string>()

  constructor(
    private readonly logger: Logger,
    /** The metric's counter (metrics.ts), when metrics are served. */
    private readonly counted: (() => void) | undefined,
  ) {}

  /** `path`: what was asked for, which names the board where the damage does not. */
  refused(damage: BoardDamaged, path: string): void {
    this.counted?.()
    const key = `${damage.boardId ?? path}:${String(damage.at)}`
    if (this.logged.has(key) || this.logged.size >= LOGGED_AT_MOST) return
    this.logged.add(key)
    this.logger.error(
      { boardId: damage.boardId, path, seq: typeof damage.at === 'number' ? damage.at : null, part: damage.at === 'checkpoint' ? 'checkpoint' : 'row', err: damage.reason },
      'a board’s stored history cannot be applied: its requests are refused (503 board_damaged) until an operator repairs it (README, "A damaged board")',
    )
  }
}
