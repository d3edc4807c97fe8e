/**
 * The rooms this process has loaded: at most one per board. Concurrent first
 * joins share one load; a room unloads once nobody holds it and everything is
 * saved; compaction of a board's log runs in the background, one at a time.
 */
import { migrateBoardDoc } from '../../shared/board-doc.ts'
import type { CloseEvent } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { foldLog } from '../history/fold-log.ts'
import type { HistoryPolicy, MergeState, Storage } from '../storage/storage.ts'
import { ConnectionLimits, type Admission, type AdmissionRefusal } from './connection-limits.ts'
import type { Connection } from './connection.ts'
import { OutboundBudget } from './outbound-budget.ts'
import { RedisBus } from './redis-bus.ts'
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relay-limits.ts'
import { UNCOUNTED, type RelayMetrics } from './relay-metrics.ts'
import { Room } from './room.ts'

export type RoomRegistryOptions = {
  /** Compact a board once this many log rows follow its checkpoint (reloading costs ~11 µs a row). */
  compactAfterRows?: number
  /** Relay through Redis so that several instances serve the same boards. */
  redisUrl?: string
  /** How compaction folds a log into a checkpoint (the server runs it in a worker thread); in this thread by default. */
  mergeState?: MergeState
  /** What one connection may cost; the defaults of shared/limits.ts otherwise. */
  limits?: RelayLimits
  /** Where the relay reports what it does (server/metrics/); nothing is counted otherwise. */
  metrics?: RelayMetrics
  /** How long the board's history is kept; after a compaction, the board's history is thinned to it (at most every few minutes). Kept whole otherwise. */
  history?: { policy: HistoryPolicy; now: () => Date }
}

/** For readiness and metrics: how many loaded boards cannot commit, and since when the oldest has been failing. */
export type CommitHealth = { failingRooms: number; oldestFailingSince: number | null }

/** Whose connections to close: plain data, so that it can travel to other instances. */
export type ConnectionSelector = {
  userId?: string
  tokenId?: string
  /** The sockets of one session (the hash of its token). */
  sessionId?: string
  boardId?: string
}

function matches(selector: ConnectionSelector, connection: Connection): boolean {
  const { identity } = connection
  return (
    (selector.userId === undefined || identity.userId === selector.userId) &&
    (selector.tokenId === undefined || identity.tokenId === selector.tokenId) &&
    (selector.sessionId === undefined || identity.sessionId === selector.sessionId)
  )
}

/** A socket's upgrade that never completes must not pin its room in memory forever. */
const UNCLAIMED_HOLD_MS = 30_000

/** Thinning reads the sizes of a board's whole history: once in a while is enough, as its schedule is hours and days. */
const THIN_EVERY_MS = 10 * 60_000

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>()
  private readonly loading = new Map<string, Promise<Room | null>>()
  private readonly compacting = new Map<string, Promise<void>>()
  private readonly catchingUp = new Map<string, Promise<void>>()
  /** When each board's history was last thinned on this instance. */
  private readonly thinnedAt = new Map<string, number>()
  private readonly compactAfterRows: number
  private readonly mergeState: MergeState
  private readonly bus: RedisBus | undefined
  private readonly limits: RelayLimits
  private readonly metrics: RelayMetrics
  private readonly connectionLimits: ConnectionLimits
  /** Bytes queued to slow readers, across every room. */
  readonly outbound: OutboundBudget

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly options: RoomRegistryOptions = {},
  ) {
    this.compactAfterRows = options.compactAfterRows ?? 500
    this.mergeState = options.mergeState ?? foldLog
    this.limits = options.limits ?? DEFAULT_RELAY_LIMITS
    this.metrics = options.metrics ?? UNCOUNTED
    this.connectionLimits = new ConnectionLimits({ perPerson: this.limits.connectionsPerPerson, total: this.limits.connections })
    this.outbound = new OutboundBudget({ perConnection: this.limits.queuedBytesPerConnection, total: this.limits.queuedBytes })
    this.bus = options.redisUrl
      ? new RedisBus(
          options.redisUrl,
          {
            onMessage: (boardId, message) => {
              const room = this.rooms.get(boardId)
              if (message.kind === 'update') room?.applyRemoteUpdate(message.payload)
              else room?.applyRemoteAwareness(message.payload)
            },
            onResubscribed: (boardId) => this.catchUp(boardId),
            onControl: (message) => void this.closeLocalConnections(message.selector, message.event),
          },
          logger,
          this.metrics,
        )
      : undefined
  }

  get loadedRooms(): ReadonlyMap<string, Room> {
    return this.rooms
  }

  /** Open websockets on this instance, counted from their upgrade. */
  get connectionCount(): number {
    return this.connectionLimits.connections
  }

  /**
   * Counts a websocket about to open for a person (null: a server without
   * accounts, where only the total applies), or says which limit refuses it.
   */
  admit(personId: string | null): Admission | AdmissionRefusal {
    return this.connectionLimits.admit(personId)
  }

  /** Resolves once Redis has answered (readiness); rejects without REDIS_URL, or while Redis is away. */
  async pingRedis(): Promise<void> {
    if (!this.bus) throw new Error('no Redis is configured')
    await this.bus.ping()
  }

  commitHealth(): CommitHealth {
    let failingRooms = 0
    let oldestFailingSince: number | null = null
    for (const room of this.rooms.values()) {
      const since = room.commitFailingSince
      if (since === null) continue
      failingRooms++
      if (oldestFailingSince === null || since < oldestFailingSince) oldestFailingSince = since
    }
    return { failingRooms, oldestFailingSince }
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
    await settled([...this.compacting.values(), ...this.catchingUp.values()])
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
      .then(async ({ mergedRows }) => {
        this.rooms.get(boardId)?.noteCompacted(mergedRows)
        this.logger.debug({ boardId, mergedRows }, 'compacted board log')
        await this.thin(boardId)
      })
      .catch((error: unknown) => {
        this.logger.error({ boardId, err: describe(error) }, 'compaction or thinning of the history failed')
      })
      .finally(() => this.compacting.delete(boardId))
    this.compacting.set(boardId, job)
    return job
  }

  /** Drops what the history policy no longer keeps of the board, unless done a little while ago. */
  private async thin(boardId: string): Promise<void> {
    const history = this.options.history
    if (!history) return
    const now = history.now()
    const last = this.thinnedAt.get(boardId)
    if (last !== undefined && now.getTime() - last < THIN_EVERY_MS) return
    this.thinnedAt.set(boardId, now.getTime())
    const dropped = await this.storage.history.thin(boardId, history.policy, now.toISOString())
    if (dropped.rowsDropped + dropped.checkpointsDropped + dropped.changesDropped > 0) this.logger.info({ boardId, ...dropped }, 'thinned board history')
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
      limits: this.limits,
      outbound: this.outbound,
      metrics: this.metrics,
      logRows: stored.updates.length,
      compactAfterRows: this.compactAfterRows,
      onCompactionDue: (due) => void this.compact(due.boardId),
      onIdle: (idle) => this.unload(idle),
      onCommitted: this.bus ? (committed, update) => this.bus!.publish(committed.boardId, { kind: 'update', payload: update }) : undefined,
      onLocalAwareness: this.bus ? (changed, update) => this.bus!.publish(changed.boardId, { kind: 'awareness', payload: update }) : undefined,
      onMissingRemote: (missing) => this.catchUp(missing.boardId),
    })
    room.load(stored)
    migrateBoardDoc(room.doc, { source: 'server', by: 'schema-migration' })
    this.rooms.set(boardId, room)
    // A failed subscription is retried when Redis is back (and followed by a catch-up); the board is served meanwhile.
    await this.bus?.subscribe(boardId).catch((error: unknown) => this.logger.warn({ boardId, err: describe(error) }, 'redis subscription failed'))
    return room
  }

  /**
   * Applies whatever other instances committed that this one may not have
   * heard of. Applying known updates again changes nothing, so reading the
   * whole stored state is safe, and it stays right across compactions.
   */
  private catchUp(boardId: string): void {
    if (!this.rooms.has(boardId) || this.catchingUp.has(boardId)) return
    const job = this.storage.log
      .load(boardId)
      .then((stored) => {
        this.rooms.get(boardId)?.applyStored(stored)
        this.metrics.caughtUp()
      })
      .catch((error: unknown) => this.logger.error({ boardId, err: describe(error) }, 'catch-up from the update log failed; retried on the next reconnect'))
      .finally(() => this.catchingUp.delete(boardId))
    this.catchingUp.set(boardId, job)
  }

  private unload(room: Room): void {
    if (this.rooms.get(room.boardId) !== room) return
    this.rooms.delete(room.boardId)
    this.thinnedAt.delete(room.boardId)
    room.destroy()
    this.bus?.unsubscribe(room.boardId).catch((error: unknown) => this.logger.warn({ boardId: room.boardId, err: describe(error) }, 'redis unsubscribe failed'))
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
