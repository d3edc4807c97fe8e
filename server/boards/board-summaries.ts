/**
 * Keeps the board list's summary of each board (title, marking, how many
 * assessments and claims, when it last changed) in step with its document, as
 * a relay extension: a commit only notes when the board changed; the summary
 * is read from the document when it is written, at most once a second per
 * board and at once when nobody holds the room any more or it unloads
 * (counting a large board's entities on every keystroke cost more than the
 * keystroke's commit). A board loaded without a summary (made before the
 * summary existed) is counted as it loads.
 *
 * A board's writes go one after the other: on PostgreSQL two writes in flight
 * on two connections may land in either order, and an older summary landing
 * last stayed until the board's next change. A write that fails is tried again
 * until it lands or a newer one replaces it.
 */
import type * as Y from 'yjs'
import { readBoardSettings } from '../../shared/board-convert.ts'
import { entities } from '../../shared/board-doc.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { RoomExtension } from '../relay/room-extension.ts'
import type { Room } from '../relay/room.ts'
import type { BoardRecord, BoardSummary, Storage } from '../storage/storage.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** A burst of keystrokes is one write of the summary. */
const WRITE_DELAY_MS = 1000
/** A write that failed is tried again this much later (the database is away a moment, or busy). */
const RETRY_DELAY_MS = 5000

/** A summary to write: read from the room when written, or one read already whose write failed. */
type PendingSummary = { read: () => BoardSummary }

export function summaryOf(doc: Y.Doc, lastChangeAt: string): BoardSummary {
  const { title, marking } = readBoardSettings(doc)
  return {
    title,
    marking,
    assessmentCount: Array.from(entities(doc, 'assessments')).length,
    claimCount: Array.from(entities(doc, 'claims')).length,
    lastChangeAt,
  }
}

export class BoardSummaries implements RoomExtension {
  readonly name = 'board-summaries'
  /** Boards changed since their summary was last written. */
  private readonly pending = new Map<string, PendingSummary>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  /** Each board's latest write: the next waits for it. */
  private readonly writing = new Map<string, Promise<void>>()

  constructor(private readonly options: { storage: Pick<Storage, 'boards'>; logger: Logger; clock: Clock }) {}

  async onLoaded(room: Room, _stored: unknown, board: BoardRecord): Promise<void> {
    if (board.assessmentCount !== null) return
    const { boards } = this.options.storage
    const lastChangeAt = (await boards.lastWrittenAt(room.boardId)) ?? board.createdAt
    await boards.summarize(room.boardId, summaryOf(room.doc, lastChangeAt))
  }

  onCommitted(room: Room): void {
    // Written out as text only when the summary is read, at most once a second, not at every keystroke.
    const lastChangeMs = this.options.clock().getTime()
    this.pending.set(room.boardId, { read: () => summaryOf(room.doc, new Date(lastChangeMs).toISOString()) })
    this.writeIn(room.boardId, WRITE_DELAY_MS)
  }

  /** Nobody has the board open now: the list shows what was last said, such as a title changed over HTTP, at once. */
  onIdle(room: Room): void {
    this.write(room.boardId)
  }

  onUnloaded(room: Room): void {
    this.write(room.boardId)
  }

  /** Writes what is pending once more (a failed write is not tried again after this). */
  async close(): Promise<void> {
    for (const boardId of [...this.timers.keys()]) this.write(boardId, { retry: false })
    await Promise.allSettled(this.writing.values())
  }

  private writeIn(boardId: string, delayMs: number): void {
    if (this.timers.has(boardId)) return
    const timer = setTimeout(() => this.write(boardId), delayMs)
    timer.unref()
    this.timers.set(boardId, timer)
  }

  private write(boardId: string, { retry } = { retry: true }): void {
    clearTimeout(this.timers.get(boardId))
    this.timers.delete(boardId)
    const changed = this.pending.get(boardId)
    this.pending.delete(boardId)
    if (!changed) return
    // Read now (a promise's executor runs at once, and turns a throw into a rejection): once the room has unloaded, its document goes.
    const read = new Promise<BoardSummary>((resolve) => resolve(changed.read()))
    const previous = this.writing.get(boardId) ?? Promise.resolve()
    const writing: Promise<void> = Promise.all([read, previous])
      .then(([summary]) =>
        this.options.storage.boards.summarize(boardId, summary).catch((error: unknown) => {
          this.options.logger.warn({ boardId, err: errorMessage(error) }, 'could not record the board summary; trying again shortly')
          if (!retry || this.pending.has(boardId)) return
          this.pending.set(boardId, { read: () => summary })
          this.writeIn(boardId, RETRY_DELAY_MS)
        }),
      )
      .catch((error: unknown) => {
        // The document could not be read: the list shows the summary last written until the board's next change.
        this.options.logger.warn({ boardId, err: errorMessage(error) }, 'could not read the board summary')
      })
      .finally(() => {
        if (this.writing.get(boardId) === writing) this.writing.delete(boardId)
      })
    this.writing.set(boardId, writing)
  }
}
