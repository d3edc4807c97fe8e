/**
 * A board whose stored state Yjs cannot apply: a log row (or the checkpoint)
 * damaged on disk, cut short, or put back wrong by a restore. Loading it fails
 * the same way every time, so it is named (board and row) and refused with an
 * answer that says an operator must repair it, never a "try again".
 */

/** Where the stored state failed: a log row's sequence number, the latest checkpoint, or (null) a row read without its number. */
export type DamagedAt = number | 'checkpoint' | null

export class BoardDamaged extends Error {
  override name = 'BoardDamaged'

  constructor(
    readonly at: DamagedAt,
    /** What Yjs said of the bytes. */
    readonly reason: string,
    /** Null where the state was applied without knowing its board (applyStoredState); the caller that knows names it (`ofBoard`). */
    readonly boardId: string | null = null,
  ) {
    super(`board ${boardId ?? '(unnamed)'}: ${describe(at)} cannot be applied (${reason})`)
  }

  ofBoard(boardId: string): BoardDamaged {
    return this.boardId === boardId ? this : new BoardDamaged(this.at, this.reason, boardId)
  }

  /** What a person is told: stable, and the same for every request until an operator repairs the board. */
  get advice(): string {
    const where = typeof this.at === 'number' ? `change ${this.at}` : describe(this.at)
    return `This board's stored history is damaged at ${where}, so it cannot be opened. An operator must repair it (see the README, "A damaged board"); other boards are not affected.`
  }
}

function describe(at: DamagedAt): string {
  if (at === 'checkpoint') return 'its latest checkpoint'
  return at === null ? 'a log row' : `log row ${at}`
}
