/**
 * A board's size limit (RELAY_LIMITS.boardBytes, BOARD_MAX_BYTES) as a relay
 * extension. Every editor may add to a board within their own hourly budget,
 * so several of them, or one over many hours, could grow it until loading it
 * ends the instances that do; past the limit a board takes only deletions
 * (Room.setFull) until deleting has made room.
 *
 * A board's size is what loading it costs (load-cost.ts): what loading it
 * reads, its latest checkpoint and the log rows after it, or the structs its
 * document holds at BYTES_PER_LOADED_STRUCT each when that is more, so a
 * board made dense in structs (every other character deleted) is full as a
 * board of ordinary cards that costs as much to load is. Left out are the
 * deleted items of root types (dead-root-structs.ts), counted as the board
 * is judged: no deletion frees them, so a board they alone made full would
 * take nothing again, ever (red team 39a). Each room counts what it was loaded from and has stored since
 * (Room.storedBytes); that count only grows, and shrinks nowhere but in a
 * compaction, here or on another instance. So the count only says when to ask
 * storage (UpdateLogStore.bytes, a query of sizes), and only storage's answer
 * makes a board full or lets it go: a room open for days never refuses on a
 * stale count, and every instance agrees. Structs likewise: they are counted
 * over all the document's clients only as the board is judged, and between
 * judgments bounded by what each change added (Room.structsAdded), since a
 * board written under thousands of client ids would otherwise pay that walk
 * on every commit. While a board is full it is
 * measured again every `recheckMs`, after compacting it first when deletions
 * were committed here since (deleted content leaves a board only when its log
 * is folded into a checkpoint).
 */
import type { BoardFullNotice } from '../../shared/protocol.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import type { StoredBoardState, UpdateLogStore } from '../storage/storage.ts'
import { structsHeld } from './load-cost.ts'
import { deadRootStructs, fullnessInBytes, type DeadRootStructs } from './dead-root-structs.ts'
import type { RoomExtension } from './room-extension.ts'
import type { Room } from './room.ts'

export type BoardSizeLimitOptions = {
  log: Pick<UpdateLogStore, 'bytes'>
  logger: Logger
  /** Stored bytes past which a board takes only deletions. */
  limit: number
  /** Folds the board's log into a new checkpoint (Compaction.compact), dropping what was deleted. */
  compact: (boardId: string) => Promise<void>
  /** How often a full board is measured again (compacted first if deletions were committed since). */
  recheckMs?: number
}

/** A full board is measured again this often: a deletion makes room within about this long. */
export const FULL_BOARD_RECHECK_MS = 30_000

/** What is known of a loaded board's size: storage's last answer, and the room's count when it was asked. */
type Measure = {
  storedBytes: number
  countedThen: number
  /** The structs the document held when the board was last judged, and the room's Room.structsAdded then. */
  structs: number
  structsAddedThen: number
  /** The deleted items of root types when the board was last judged: there are never fewer since. */
  deadRoot: DeadRootStructs
  measuring: boolean
  /** Committed here since the board was last measured full: a compaction may free room. */
  committedSinceFull: boolean
  recheck: NodeJS.Timeout | undefined
}

export class BoardSizeLimit implements RoomExtension {
  readonly name = 'board-size-limit'
  private readonly boards = new Map<Room, Measure>()
  private readonly recheckMs: number

  constructor(private readonly options: BoardSizeLimitOptions) {
    this.recheckMs = options.recheckMs ?? FULL_BOARD_RECHECK_MS
  }

  onLoaded(room: Room, stored: StoredBoardState): void {
    // What the room was loaded from is what storage holds: a measure of its own. Rows after the checkpoint may hold deletions a compaction would fold away.
    const measure: Measure = {
      storedBytes: room.storedBytes,
      countedThen: room.storedBytes,
      // Counted as it is judged, just below.
      structs: 0,
      structsAddedThen: 0,
      deadRoot: { structs: 0, bytes: 0 },
      measuring: false,
      committedSinceFull: stored.updates.length > 0,
      recheck: undefined,
    }
    this.boards.set(room, measure)
    this.judge(room, measure)
  }

  /**
   * What the load deleted (load-repair.ts: XML types that filled a board
   * nobody could empty) leaves the board only once stored and compacted: a
   * full board is then compacted and measured at once, not at its next
   * recheck, and takes writes again as soon as it fits.
   */
  onRepairedAtLoad(room: Room): void {
    const measure = this.boards.get(room)
    if (!measure || !room.full) return
    measure.committedSinceFull = true
    room.whenSaved().then(
      () => this.measure(room, measure),
      // Rejected only once the room is destroyed: there is nothing left to measure.
      () => undefined,
    )
  }

  onCommitted(room: Room): void {
    const measure = this.boards.get(room)
    if (!measure) return
    if (room.full) measure.committedSinceFull = true
    else if (fullnessInBytes(this.estimate(room, measure), this.structsAtMost(room, measure), measure.deadRoot) > this.options.limit) this.measure(room, measure)
  }

  onUnloaded(room: Room): void {
    const measure = this.boards.get(room)
    if (measure) clearInterval(measure.recheck)
    this.boards.delete(room)
  }

  async close(): Promise<void> {
    for (const measure of this.boards.values()) clearInterval(measure.recheck)
    this.boards.clear()
  }

  /** The board's stored size as last measured, and what the room stored since. */
  private estimate(room: Room, measure: Measure): number {
    return measure.storedBytes + (room.storedBytes - measure.countedThen)
  }

  /** The structs the document held when the board was last judged, and at most what it gained since. */
  private structsAtMost(room: Room, measure: Measure): number {
    return measure.structs + (room.structsAdded - measure.structsAddedThen)
  }

  /**
   * Asks storage for the board's size (compacting a full board first when
   * deletions were committed since), one ask at a time. A failure is logged and
   * the board stays as it was judged: the next commit or recheck asks again.
   */
  private measure(room: Room, measure: Measure): void {
    if (measure.measuring) return
    measure.measuring = true
    this.measureNow(room, measure)
      .catch((error: unknown) => this.options.logger.error({ boardId: room.boardId, err: errorMessage(error) }, 'measuring a board’s size failed'))
      .finally(() => {
        measure.measuring = false
      })
  }

  private async measureNow(room: Room, measure: Measure): Promise<void> {
    if (room.full && measure.committedSinceFull) {
      measure.committedSinceFull = false
      await this.options.compact(room.boardId)
    }
    const countedThen = room.storedBytes
    const storedBytes = await this.options.log.bytes(room.boardId)
    if (this.boards.get(room) !== measure) return
    measure.storedBytes = storedBytes
    measure.countedThen = countedThen
    this.judge(room, measure)
  }

  /**
   * Makes the board full or lets it go by its last measure and the structs
   * its document holds now, counted afresh; a full board is measured again
   * every `recheckMs`.
   */
  private judge(room: Room, measure: Measure): void {
    const limit = this.options.limit
    measure.structs = structsHeld(room.doc)
    measure.structsAddedThen = room.structsAdded
    measure.deadRoot = deadRootStructs(room.doc)
    const bytes = fullnessInBytes(measure.storedBytes, measure.structs, measure.deadRoot)
    const full: BoardFullNotice | null = bytes > limit ? { bytes, limit } : null
    if (full && !room.full) this.options.logger.warn({ boardId: room.boardId, ...full, storedBytes: measure.storedBytes }, 'board past its size limit: it takes only deletions')
    if (!full && room.full) this.options.logger.info({ boardId: room.boardId, bytes, limit }, 'board back within its size limit')
    if (full?.bytes !== room.full?.bytes) room.setFull(full)
    if (full && measure.recheck === undefined) {
      measure.recheck = setInterval(() => this.measure(room, measure), this.recheckMs)
      measure.recheck.unref()
    } else if (!full && measure.recheck !== undefined) {
      clearInterval(measure.recheck)
      measure.recheck = undefined
    }
  }
}
