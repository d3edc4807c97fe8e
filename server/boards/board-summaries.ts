/**
 * Keeps the board list's summary of each board (title, marking, how many
 * assessments and claims, when it last changed) in step with its document, as
 * a relay extension: a commit only notes when the board changed; the summary
 * is read from the document when it is written, at most once a second per
 * board and at once when nobody holds the room any more or it unloads
 * (counting a large board's entities on every keystroke cost more than the
 * keystroke's commit). A board loaded without a summary (made before the
 * summary existed) is counted as it loads.
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
  /** Boards changed since their summary was last written, with when they last changed. */
  private readonly pending = new Map<string, { room: Room; lastChangeAt: string }>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly writing = new Set<Promise<void>>()

  constructor(private readonly options: { storage: Pick<Storage, 'boards'>; logger: Logger; clock: Clock }) {}

  async onLoaded(room: Room, _stored: unknown, board: BoardRecord): Promise<void> {
    if (board.assessmentCount !== null) return
    const { boards } = this.options.storage
    const lastChangeAt = (await boards.lastWrittenAt(room.boardId)) ?? board.createdAt
    await boards.summarize(room.boardId, summaryOf(room.doc, lastChangeAt))
  }

  onCommitted(room: Room): void {
    this.pending.set(room.boardId, { room, lastChangeAt: this.options.clock().toISOString() })
    if (this.timers.has(room.boardId)) return
    const timer = setTimeout(() => this.write(room.boardId), WRITE_DELAY_MS)
    timer.unref()
    this.timers.set(room.boardId, timer)
  }

  /** Nobody has the board open now: the list shows what was last said, such as a title changed over HTTP, at once. */
  onIdle(room: Room): void {
    this.write(room.boardId)
  }

  onUnloaded(room: Room): void {
    this.write(room.boardId)
  }

  async close(): Promise<void> {
    for (const boardId of [...this.timers.keys()]) this.write(boardId)
    await Promise.allSettled(this.writing)
  }

  private write(boardId: string): Promise<void> {
    clearTimeout(this.timers.get(boardId))
    this.timers.delete(boardId)
    const changed = this.pending.get(boardId)
    this.pending.delete(boardId)
    if (!changed) return Promise.resolve()
    // Read now (a promise's executor runs at once, and turns a throw into a rejection): once the room has unloaded, its document goes.
    const writing: Promise<void> = new Promise<BoardSummary>((resolve) => resolve(summaryOf(changed.room.doc, changed.lastChangeAt)))
      .then((summary) => this.options.storage.boards.summarize(boardId, summary))
      .catch((error: unknown) => {
        // The list shows the summary last written; the next commit writes it again.
        this.options.logger.warn({ boardId, err: errorMessage(error) }, 'could not record the board summary')
      })
      .finally(() => this.writing.delete(writing))
    this.writing.add(writing)
    return writing
  }
}
