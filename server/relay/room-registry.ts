/**
 * The rooms this process has loaded: at most one per board. Concurrent first
 * joins share one load; a room unloads once nobody holds it and everything is
 * saved; compaction of a board's log runs in the background, one at a time.
 */
import { migrateBoardDoc } from '../../shared/board-doc.ts'
import type { CloseEvent } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import type { MergeState, Storage } from '../storage/storage.ts'
import type { Connection } from './connection.ts'
import { applyStoredState, mergeBoardState } from './merge-state.ts'
import { RedisBus } from './redis-bus.ts'
import { LOAD_ORIGIN, Room } from './room.ts'

export type RoomRegistryOptions = {
  /** Compact a board once this many log rows follow its checkpoint (reloading costs ~11 µs a row). */
  compactAfterRows?: number
  /** Relay through Redis so that several instances serve the same boards. */
  redisUrl?: string
  /** How compaction folds a log into a checkpoint (the server runs it in a worker thread); in this thread by default. */
  mergeState?: MergeState
}

/** Whose connections to close: plain data, so that it can travel to other instances. */
export type ConnectionSelector = {
  userId?: string
  tokenId?: string
  boardId?: string
  /** Only connections opened with a session cookie (not with an API token). */
  sessionsOnly?: boolean
}

function matches(selector: ConnectionSelector, connection: Connection): boolean {
  const { identity } = connection
  return (
    (selector.userId === undefined || identity.userId === selector.userId) &&
    (selector.tokenId === undefined || identity.tokenId === selector.tokenId) &&
    (!selector.sessionsOnly || identity.tokenId === null)
  )
}

/** A socket's upgrade that never completes must not pin its room in memory forever. */
const UNCLAIMED_HOLD_MS = 30_000

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>()
  private readonly loading = new Map<string, Promise<Room | null>>()
  private readonly compacting = new Map<string, Promise<void>>()
  private readonly compactAfterRows: number
  private readonly mergeState: MergeState
  private readonly bus: RedisBus | undefined

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    options: RoomRegistryOptions = {},
  ) {
    this.compactAfterRows = options.compactAfterRows ?? 500
    this.mergeState = options.mergeState ?? mergeBoardState
    this.bus = options.redisUrl
      ? new RedisBus(
          options.redisUrl,
          {
            onMessage: (boardId, message) => {
              const room = this.rooms.get(boardId)
              if (message.kind === 'update') room?.applyRemoteUpdate(message.payload)
              else room?.applyRemoteAwareness(message.payload)
            },
            onResubscribed: (boardId) => void this.catchUp(boardId),
            onControl: (message) => void this.closeLocalConnections(message.selector, message.event),
          },
          logger,
        )
      : undefined
  }

  get loadedRooms(): ReadonlyMap<string, Room> {
    return this.rooms
  }

  /**
   * The room of a board, held for the caller (call the returned release once
   * done), or null when there is no such board.
   */
  async acquire(boardId: string): Promise<{ room: Room; release: () => void } | null> {
    const room = await this.load(boardId)
    if (!room) return null
    room.hold()
    let released = false
    const release = () => {
      if (released) return
      released = true
      clearTimeout(timer)
      room.release()
    }
    const timer = setTimeout(release, UNCLAIMED_HOLD_MS)
    timer.unref()
    return { room, release }
  }

  /** Runs `use` with the board's room held; null when there is no such board. */
  async withRoom<T>(boardId: string, use: (room: Room) => T | Promise<T>): Promise<T | null> {
    const held = await this.acquire(boardId)
    if (!held) return null
    try {
      return await use(held.room)
    } finally {
      held.release()
    }
  }

  /**
   * Closes the matching connections on every instance (a right was taken away):
   * here at once, and on the others through Redis. Returns how many closed here.
   */
  closeConnections(selector: ConnectionSelector, event: CloseEvent): number {
    this.bus?.publishControl({ type: 'close-connections', selector, event })
    return this.closeLocalConnections(selector, event)
  }

  private closeLocalConnections(selector: ConnectionSelector, event: CloseEvent): number {
    let closed = 0
    for (const room of this.rooms.values()) {
      if (selector.boardId !== undefined && selector.boardId !== room.boardId) continue
      closed += room.closeConnections((connection) => matches(selector, connection), event)
    }
    return closed
  }

  /**
   * Saves what is pending, then unloads every room, closing its sockets with
   * 1001. Once `deadline` settles it stops waiting: what a room could not save
   * stays in its clients, which send it again when they reconnect.
   */
  async close(deadline: Promise<unknown> = new Promise(() => {})): Promise<void> {
    const settled = (work: Iterable<Promise<unknown>>) => Promise.race([Promise.allSettled(work), deadline])
    await settled(this.loading.values())
    await settled([...this.rooms.values()].map((room) => room.whenSaved()))
    await settled(this.compacting.values())
    const unsaved = [...this.rooms.values()].filter((room) => !room.isSaved).map((room) => room.boardId)
    if (unsaved.length > 0) this.logger.warn({ boards: unsaved }, 'closing with edits not saved; their clients keep them and resend them when they reconnect')
    for (const room of this.rooms.values()) room.destroy()
    this.rooms.clear()
    await Promise.race([this.bus?.close(), deadline])
  }

  /** Compacts a board's log now; resolves when done. */
  compact(boardId: string): Promise<void> {
    const running = this.compacting.get(boardId)
    if (running) return running
    const job = this.storage.log
      .compact(boardId, this.mergeState)
      .then(({ mergedRows }) => {
        this.rooms.get(boardId)?.noteCompacted(mergedRows)
        this.logger.debug({ boardId, mergedRows }, 'compacted board log')
      })
      .catch((error: unknown) => {
        this.logger.error({ boardId, err: error instanceof Error ? error.message : String(error) }, 'compaction failed')
      })
      .finally(() => this.compacting.delete(boardId))
    this.compacting.set(boardId, job)
    return job
  }

  private load(boardId: string): Promise<Room | null> {
    const loaded = this.rooms.get(boardId)
    if (loaded) return Promise.resolve(loaded)
    let loading = this.loading.get(boardId)
    if (!loading) {
      loading = this.readRoom(boardId).finally(() => this.loading.delete(boardId))
      this.loading.set(boardId, loading)
    }
    return loading
  }

  private async readRoom(boardId: string): Promise<Room | null> {
    const board = await this.storage.boards.get(boardId)
    if (!board) return null
    const stored = await this.storage.log.load(boardId)
    const room = new Room({
      boardId,
      log: this.storage.log,
      logger: this.logger,
      logRows: stored.updates.length,
      compactAfterRows: this.compactAfterRows,
      onCompactionDue: (due) => void this.compact(due.boardId),
      onIdle: (idle) => this.unload(idle),
      onCommitted: this.bus ? (committed, update) => this.bus!.publish(committed.boardId, { kind: 'update', payload: update }) : undefined,
      onLocalAwareness: this.bus ? (changed, update) => this.bus!.publish(changed.boardId, { kind: 'awareness', payload: update }) : undefined,
    })
    applyStoredState(room.doc, stored, LOAD_ORIGIN)
    migrateBoardDoc(room.doc, { source: 'server', by: 'schema-migration' })
    this.rooms.set(boardId, room)
    await this.bus?.subscribe(boardId)
    return room
  }

  /**
   * Applies whatever other instances committed that this one may not have
   * heard of. Applying known updates again changes nothing, so reading the
   * whole stored state is safe, and it stays right across compactions.
   */
  private async catchUp(boardId: string): Promise<void> {
    if (!this.rooms.has(boardId)) return
    const stored = await this.storage.log.load(boardId)
    const room = this.rooms.get(boardId)
    if (!room) return
    if (stored.checkpoint) room.applyRemoteUpdate(stored.checkpoint)
    for (const update of stored.updates) room.applyRemoteUpdate(update)
  }

  private unload(room: Room): void {
    if (this.rooms.get(room.boardId) !== room) return
    this.rooms.delete(room.boardId)
    room.destroy()
    void this.bus?.unsubscribe(room.boardId)
  }
}
