/**
 * Several instances, one board: a relay extension that publishes the updates
 * this instance has committed and the presence it receives on the board's
 * Redis channel, and applies what the others publish. Redis is only the fast
 * path; the database stays the source of truth, and an instance that may
 * have missed messages (it just subscribed, Redis came back after a blip, or
 * a relayed update depends on one it never got) catches up from the update
 * log, and decides again from the database what its open connections may do
 * (a right taken away meanwhile was told on the control channel). A board
 * never waits for Redis to load: while Redis is away it is served from here
 * and the log, and it catches up once its subscription is confirmed. Nor do
 * the instances stop hearing of each other's edits while Redis is away: every
 * loaded board is caught up from the log each REDIS_CATCH_UP_INTERVAL_MS
 * until the subscription is back (trailing-catch-ups.ts), and an instance
 * cut off alone tells the others, through PostgreSQL, which boards to catch up
 * for its edits (pg-catch-up-requests.ts).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Redis } from 'ioredis'
import * as Y from 'yjs'
import type { Logger } from '../log.ts'
import { COMMAND_TIMED_OUT, dropIfSilent, endRedisConnection, RECONNECTING, reconnectWhenSilent, sentNow } from '../redis-reconnect.ts'
import type { StoredSince, UpdateLogStore } from '../storage/storage.ts'
import { asServer } from '../workers/job-owner.ts'
import { WorkerJobError } from '../workers/worker-errors.ts'
import type { WorkerPool } from '../workers/worker-pool.ts'
import { encodeControlMessage, readControlMessage, type ControlMessage } from './control-message.ts'
import type { Commit } from './commit-log.ts'
import { readRelayedWriters, writeRelayedWriters } from './relayed-commit.ts'
import { packUpdates } from './merge-state.ts'
import { PgCatchUpRequests } from './pg-catch-up-requests.ts'
import type { PgNotifications } from './pg-listener.ts'
import type { RelayControl, RoomExtension } from './room-extension.ts'
import type { RelayedUpdateReports, RelayedDrop } from './remote-updates.ts'
import type { Room } from './room.ts'
import { TrailingCatchUps } from './trailing-catch-ups.ts'
import { errorMessage } from '../../shared/error-message.ts'

const KIND_UPDATE = 0
const KIND_AWARENESS = 1
const KIND_CONTROL = 2
/** On a board's channel: the sender committed changes the others could not hear of; they read the board's log. */
const KIND_CATCH_UP = 3
/**
 * How long a publish waits for Redis' answer (well under a millisecond when
 * it answers): past it the connection is taken for half-open, open to the
 * kernel while nothing comes back, and made afresh, where otherwise every
 * message would pile up unanswered until TCP gave up on it many minutes later.
 */
const PUBLISH_TIMEOUT_MS = 2000
/** The first try again of a failed catch-up; each next one waits twice as long, up to the most. */
const CATCH_UP_RETRY_FIRST_MS = 1000
const CATCH_UP_RETRY_MAX_MS = 30_000
/**
 * A catch-up's read up to this many bytes is applied on the relay's thread as
 * it is; a larger one is first sifted in a worker thread for what the room
 * lacks (lacking-updates.ts). 1,000 keystrokes' rows, some 10 ms to apply again.
 */
const CATCH_UP_ON_THREAD_MAX_BYTES = 64 * 1024
/**
 * How long a large catch-up waits for a worker thread to start sifting it
 * before it is applied whole on the relay's thread instead: the threads may
 * all be held by members' long jobs (an export runs up to its minute), and the
 * board's clients would wait that long for what the other instances committed.
 */
const SIFT_START_WITHIN_MS = 1000

/** What the fan-out reports, for the metrics. */
export type FanOutCounters = {
  /** An update, a presence change or a control message was published to the other instances. */
  published(): void
  /** A message another instance published arrived. */
  received(): void
  /** A board caught up from the update log after this instance may have missed messages: `rows` log rows read after what it held, or its whole stored state. */
  caughtUp(read: { rows: number; whole: boolean }): void
  /** How many loaded boards owe a catch-up that failed, tried again until it succeeds. */
  catchUpsOwed(boards: number): void
  /** Whether the instance both publishes and hears the others through Redis now; without, its boards are kept converging from the log. */
  connected(connected: boolean): void
  /** A message another instance published was dropped: unreadable, or an update its check refused or could not make (remote-updates.ts). */
  dropped(reason: 'unreadable' | RelayedDrop): void
}

export type RedisFanOutOptions = {
  url: string
  /** The deployment's namespace (redis-namespace.ts), which every channel's name starts with: no other deployment's instance hears them. */
  namespace: string
  /** Where a board is caught up from. */
  log: UpdateLogStore
  logger: Logger
  counters?: FanOutCounters
  /** REDIS_PING_INTERVAL_MS: how often each of its connections is pinged, to notice one gone silent. */
  pingIntervalMs: number
  /** REDIS_CATCH_UP_INTERVAL_MS: how often a board that changed is caught up in the background (trailing-catch-ups.ts). */
  catchUpIntervalMs: number
  /** Where a large catch-up's read is sifted for what the room lacks. */
  workers: Pick<WorkerPool, 'run'>
  /** Several instances on PostgreSQL: where the boards committed to while cut off Redis are told to the others. */
  pg?: PgNotifications
}

const UNCOUNTED: FanOutCounters = { published() {}, received() {}, caughtUp() {}, catchUpsOwed() {}, connected() {}, dropped() {} }

export class RedisFanOut implements RoomExtension {
  readonly name = 'redis'
  /** Tells this instance's own messages apart when they come back on the channel. */
  private readonly instanceId = crypto.randomUUID()
  private readonly publisher: Redis
  private readonly subscriber: Redis
  /** The rooms loaded here, which the channels of their boards feed. */
  private readonly rooms = new Map<string, Room>()
  private readonly catchingUp = new Map<string, Promise<void>>()
  private readonly trailing: TrailingCatchUps
  private readonly pgRequests: PgCatchUpRequests | undefined
  /**
   * The loaded boards whose last catch-up failed (the database did not answer),
   * with how many times in a row and the timer of the next try. Tried again
   * until it succeeds, for as long as the board is loaded: nothing else may
   * come to ask again (no reconnection to Redis, no word from another instance).
   */
  private readonly owed = new Map<string, { failures: number; retry: NodeJS.Timeout }>()
  /** Settles once the last catch-up asked for has applied what it read: each applies in a turn of its own (`inApplyTurn`). */
  private applying: Promise<void> = Promise.resolve()
  /** The registry, which closes this instance's sockets when another instance takes a right away. */
  private relay: RelayControl | null = null
  /** Boards asked to catch up while a catch-up was reading the log: that read may predate what the request is about, so one more follows it. */
  private readonly catchUpAgain = new Set<string>()
  private readonly logger: Logger
  private readonly counters: FanOutCounters
  /**
   * While the publisher is not connected, what the others must hear once it
   * is: the boards that committed meanwhile (each caught up from the log, so
   * one entry a board however many commits) and the control messages. Queued
   * one by one instead, a long outage's every keystroke and presence change
   * would pile up in memory, to be replayed at once on the return.
   */
  private readonly boardsToCatchUp = new Set<string>()
  private readonly controlsHeld: Uint8Array[] = []
  /** Whether the subscriber was subscribed before: a subscription after a gap also has the upgrades in flight read their rights again (recheckRightsHere). */
  private subscribedBefore = false
  /** Whether Redis has confirmed the subscriber's subscriptions on its connection now: until it has, this instance hears nothing from the others. */
  private subscribed = false
  /** What each board's channel is named: this, then the board's id. */
  private readonly boardChannelPrefix: string
  /** Where rights taken away are told to every instance. */
  readonly controlChannel: string

  constructor(private readonly options: RedisFanOutOptions) {
    this.logger = options.logger
    this.counters = options.counters ?? UNCOUNTED
    this.boardChannelPrefix = `${options.namespace}:board:`
    this.controlChannel = `${options.namespace}:control`
    this.trailing = new TrailingCatchUps(
      options.catchUpIntervalMs,
      (boardId) => this.catchUp(boardId),
      () => (this.subscribed ? [] : this.rooms.keys()),
      this.logger,
    )
    this.pgRequests =
      options.pg &&
      new PgCatchUpRequests({
        listener: options.pg,
        instanceId: this.instanceId,
        loaded: (boardId) => this.rooms.has(boardId),
        catchUp: (boardId) => void this.catchUp(boardId),
        loadedBoards: () => this.rooms.keys(),
        logger: this.logger,
      })
    const settings = { maxRetriesPerRequest: null, lazyConnect: false, connectionName: 'assay', ...RECONNECTING }
    this.publisher = new Redis(options.url, { ...settings, commandTimeout: PUBLISH_TIMEOUT_MS })
    // ioredis would resubscribe by itself only after emitting `ready`, with nothing telling when the subscription is back.
    this.subscriber = new Redis(options.url, { ...settings, autoResubscribe: false })
    for (const [client, connection] of [[this.publisher, 'publisher'], [this.subscriber, 'subscriber']] as const) {
      client.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'redis connection error; retrying'))
      // A subscriber on a half-open connection would hear nothing, and say nothing of it, for many minutes.
      reconnectWhenSilent(client, this.logger, connection, options.pingIntervalMs)
    }
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message))
    this.subscriber.on('ready', () => this.subscribeAll())
    this.subscriber.on('close', () => this.heardNoMore())
    this.publisher.on('ready', () => {
      this.publishHeld()
      this.reportConnected()
    })
    this.publisher.on('close', () => this.reportConnected())
  }

  /** Both connections up and the subscriptions confirmed: what `assay_redis_connected` tells. */
  get connected(): boolean {
    return this.subscribed && this.publisher.status === 'ready'
  }

  /** The subscriber's connection closed: until its next subscription is confirmed, each background round catches up every loaded board. */
  private heardNoMore(): void {
    this.subscribed = false
    this.reportConnected()
  }

  private reportConnected(): void {
    this.counters.connected(this.connected)
  }

  /** Resolves once both connections have answered a ping (readiness); rejects at once while either is not connected. */
  async ping(): Promise<void> {
    const down = [this.publisher, this.subscriber].find((client) => client.status !== 'ready')
    if (down) throw new Error(`redis connection is ${down.status}`)
    await Promise.all([this.publisher.ping(), this.subscriber.ping()])
  }

  /**
   * Subscribes to the board's channel in the background, then catches up on
   * what was published before. Not awaited: a command to Redis while it is
   * away waits for its return (maxRetriesPerRequest: null), and so would the
   * board. While the subscriber is not connected, its next `ready` subscribes.
   */
  onAttached(relay: RelayControl): void {
    this.relay = relay
  }

  onLoaded(room: Room): void {
    this.rooms.set(room.boardId, room)
    if (this.subscriber.status !== 'ready') return
    const boardId = room.boardId
    this.subscriber
      .subscribe(this.channelOf(boardId))
      .then(() => this.catchUp(boardId))
      .catch((error: unknown) => this.logger.warn({ boardId, err: errorMessage(error) }, 'redis subscription failed; retried when Redis is back, the board served meanwhile'))
  }

  onCommitted(room: Room, commit: Commit): void {
    this.trailing.moved(room.boardId)
    this.publish(this.channelOf(room.boardId), KIND_UPDATE, commit.update, this.catchUpLater(room.boardId), (encoder) => writeRelayedWriters(encoder, commit))
  }

  onPresence(room: Room, update: Uint8Array): void {
    // Presence is fleeting: the next change tells it again, and clients renew theirs every 15 s anyway.
    this.publish(this.channelOf(room.boardId), KIND_AWARENESS, update, () => {})
  }

  onUnloaded(room: Room): void {
    if (this.rooms.get(room.boardId) !== room) return
    this.rooms.delete(room.boardId)
    this.trailing.forget(room.boardId)
    this.forgiveCatchUp(room.boardId)
    // A new connection starts with no subscription, and an UNSUBSCRIBE queued until then could follow a SUBSCRIBE of the board loaded again.
    if (this.subscriber.status !== 'ready') return
    this.subscriber.unsubscribe(this.channelOf(room.boardId)).catch((error: unknown) => this.logger.warn({ boardId: room.boardId, err: errorMessage(error) }, 'redis unsubscribe failed'))
  }

  onClosingConnections(message: ControlMessage): void {
    this.publishControl(new TextEncoder().encode(encodeControlMessage(message)))
  }

  /** Held rather than lost when it cannot be published: a right taken away must close its sockets on every instance (bounded by the access-change allowances). */
  private publishControl(payload: Uint8Array): void {
    this.publish(this.controlChannel, KIND_CONTROL, payload, () => this.controlsHeld.push(payload))
  }

  /**
   * What a board's lost message leaves to do: tell the others to catch it up
   * from the log, through PostgreSQL now (the others may well be on Redis,
   * and hear nothing from here), and on Redis once the publisher is back.
   */
  private catchUpLater(boardId: string): () => void {
    return () => {
      this.boardsToCatchUp.add(boardId)
      this.pgRequests?.ask(boardId)
    }
  }

  /** On every connection of the publisher: tells the others what they missed while it was away. */
  private publishHeld(): void {
    for (const payload of this.controlsHeld.splice(0)) this.publishControl(payload)
    const boardIds = [...this.boardsToCatchUp]
    this.boardsToCatchUp.clear()
    for (const boardId of boardIds) this.publish(this.channelOf(boardId), KIND_CATCH_UP, new Uint8Array(), this.catchUpLater(boardId))
  }

  async close(): Promise<void> {
    this.pgRequests?.close()
    await this.trailing.close()
    await Promise.allSettled(this.catchingUp.values())
    this.rooms.clear()
    // A catch-up that failed just now is owed no more: nothing is loaded here any more.
    for (const boardId of [...this.owed.keys()]) this.forgiveCatchUp(boardId)
    await Promise.allSettled([endRedisConnection(this.subscriber), endRedisConnection(this.publisher)])
  }

  /**
   * On every connection of the subscriber: subscribes to the control channel
   * and every loaded board's, and once Redis has confirmed it, catches the
   * boards up on what was published while they were not subscribed (a read
   * before the confirmation could miss a commit made just before it), and
   * has the rights of every open connection decided again: a control message
   * published meanwhile reached nobody here, and Redis keeps none.
   */
  private subscribeAll(): void {
    const boardIds = [...this.rooms.keys()]
    this.subscriber
      .subscribe(this.controlChannel, ...boardIds.map((boardId) => this.channelOf(boardId)))
      .then(() => {
        this.relay?.recheckRightsHere(this.subscribedBefore)
        this.subscribedBefore = true
        this.subscribed = true
        this.reportConnected()
        for (const boardId of boardIds) void this.catchUp(boardId)
      })
      .catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'redis subscription failed; retried on the next reconnect'))
  }

  /**
   * Applies whatever other instances committed that this one may not have
   * heard of: the log rows after those the room holds every one of
   * (Room.completeThrough, kept close to the log by the trailing catch-ups),
   * or its whole stored state once thinning has dropped some of them or they
   * outweigh it. Applying known updates again changes nothing, so reading
   * more than was missed is safe; a large read is first sifted in a worker
   * thread for what the room lacks, or applied whole once the threads are
   * too busy to start on it within a second (`lacking`). The board's stored
   * writers are read with it: who wrote the ids it brings is taken from the
   * database, never from who made a commit. A catch-up that fails is tried
   * again after 1 s, doubling to 30 s, until one succeeds or the board unloads.
   * Settles once done or owed, never rejecting.
   */
  private catchUp(boardId: string): Promise<void> {
    const room = this.rooms.get(boardId)
    if (!room) return Promise.resolve()
    const running = this.catchingUp.get(boardId)
    if (running) {
      this.catchUpAgain.add(boardId)
      return running
    }
    clearTimeout(this.owed.get(boardId)?.retry)
    const job = this.options.log
      .loadSince(boardId, room.completeThrough)
      .then(async (stored) => {
        // Read after the rows: they name the writer of every id those rows wrote first, which nobody else may write under here.
        // A read that found nothing new names none: a round while cut off Redis then costs a quiet board one query.
        const foundNothing = stored.checkpoint === null && stored.updates.length === 0
        const [lacking, writers] = await Promise.all([this.lacking(room, stored), foundNothing ? [] : this.options.log.writers(boardId)])
        await this.inApplyTurn(() => {
          // A room loaded afresh meanwhile (a reset) holds what its own load read, and catches up on its own.
          if (this.rooms.get(boardId) !== room) return
          room.applyStored(lacking, writers)
          this.counters.caughtUp({ rows: stored.updates.length, whole: stored.whole })
          this.forgiveCatchUp(boardId)
        })
      })
      .catch((error: unknown) => {
        const failures = (this.owed.get(boardId)?.failures ?? 0) + 1
        const retryInMs = Math.min(CATCH_UP_RETRY_FIRST_MS * 2 ** (failures - 1), CATCH_UP_RETRY_MAX_MS)
        this.logger.error({ boardId, err: errorMessage(error), failures, retryInMs }, 'catch-up from the update log failed; tried again')
        this.oweCatchUp(boardId, failures, retryInMs)
      })
      .finally(() => {
        this.catchingUp.delete(boardId)
        if (this.catchUpAgain.delete(boardId)) void this.catchUp(boardId)
      })
    this.catchingUp.set(boardId, job)
    return job
  }

  /**
   * What of `stored` the room lacks, as updates to apply with the same
   * `completeThrough`: all of it when small; otherwise sifted in a worker
   * thread against the room's state vector, nearly always to no more than
   * the deletions (lacking-updates.ts). When no thread starts the sifting
   * within SIFT_START_WITHIN_MS, it never starts, and all of it is applied as
   * every catch-up was before the threads sifted them: the read is bounded
   * (loadSince reads the stored state instead of rows that outweigh it, so at
   * most the latest checkpoint and the rows not yet compacted into it, within
   * BOARD_MAX_BYTES), applied in a turn of its own (some 0.25 s a stored MB).
   * Any other failure of the job fails the catch-up, which is owed.
   */
  private async lacking(room: Room, stored: StoredSince): Promise<Pick<StoredSince, 'checkpoint' | 'updates' | 'completeThrough'>> {
    const bytes = stored.updates.reduce((sum, update) => sum + update.byteLength, stored.checkpoint?.byteLength ?? 0)
    if (bytes <= CATCH_UP_ON_THREAD_MAX_BYTES) return stored
    const job = { checkpoint: stored.checkpoint, updates: packUpdates(stored.updates), stateVector: Y.encodeStateVector(room.doc) }
    try {
      const updates = await asServer(() => this.options.workers.run('lacking-updates', job, { boardId: room.boardId, startWithinMs: SIFT_START_WITHIN_MS }))
      return { checkpoint: null, updates, completeThrough: stored.completeThrough }
    } catch (error) {
      if (!(error instanceof WorkerJobError && error.refusal === 'busy')) throw error
      this.logger.warn({ boardId: room.boardId, bytes, err: error.message }, "worker threads busy: catch-up applied whole on the relay's thread")
      return stored
    }
  }

  private oweCatchUp(boardId: string, failures: number, retryInMs: number): void {
    if (!this.rooms.has(boardId)) return
    const retry = setTimeout(() => void this.catchUp(boardId), retryInMs)
    retry.unref()
    this.owed.set(boardId, { failures, retry })
    this.counters.catchUpsOwed(this.owed.size)
  }

  /** The board caught up, or is no longer loaded here: nothing is owed for it. */
  private forgiveCatchUp(boardId: string): void {
    const owed = this.owed.get(boardId)
    if (!owed) return
    clearTimeout(owed.retry)
    this.owed.delete(boardId)
    this.counters.catchUpsOwed(this.owed.size)
  }

  /**
   * Runs `apply` once the catch-ups read before it have applied theirs, after
   * an I/O turn: a whole board applied is a stall of the relay's thread (some
   * 0.25 s a stored MB), and after a Redis blip every loaded board catches up
   * at once; back to back, four boards of 3.9 MB held the loop 4.5 s, long
   * enough for the instance's own Redis and database connections to look dead.
   */
  private inApplyTurn(apply: () => void): Promise<void> {
    const applied = () =>
      new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          try {
            apply()
            resolve()
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)))
          }
        }),
      )
    const turn = this.applying.then(applied)
    this.applying = turn.catch(() => undefined)
    return turn
  }

  /**
   * Publishes to the other instances. What cannot be published (the publisher
   * is not connected, or Redis left it unanswered) is left to `hold`, and
   * told once the publisher is connected again. `after` writes what follows
   * the payload, which an instance that knows nothing of it never reads.
   */
  private publish(channel: string, kind: number, payload: Uint8Array, hold: () => void, after?: (encoder: encoding.Encoder) => void): void {
    if (this.publisher.status !== 'ready') return hold()
    const encoder = encoding.createEncoder()
    encoding.writeVarString(encoder, this.instanceId)
    encoding.writeVarUint(encoder, kind)
    encoding.writeVarUint8Array(encoder, payload)
    after?.(encoder)
    this.counters.published()
    const sent = sentNow(this.publisher)
    // Not awaited on the hot path: a message lost is held, as if the publisher had been away.
    this.publisher.publish(channel, Buffer.from(encoding.toUint8Array(encoder))).catch((error: Error) => {
      this.logger.warn({ channel, err: error.message }, 'redis publish failed; told again once the publisher is connected')
      hold()
      if (error.message !== COMMAND_TIMED_OUT || this.publisher.status !== 'ready') return
      // No answer on a connection that looks open (a half-open network): dropped, so that ioredis makes a new one, whose
      // `ready` tells what was held. Not disconnect(), which ends a connection politely and waits for the same silence.
      // An answer only late to be read (this thread was held up) keeps the connection, and what was held is told at once.
      dropIfSilent(this.publisher, sent, this.logger, 'publisher', 'a publish')
        .then((dropped) => {
          if (!dropped) this.publishHeld()
        })
        .catch((failure: unknown) => this.logger.error({ channel, err: errorMessage(failure) }, 'redis publish check failed'))
    })
  }

  /** Where the board's updates, presence and catch-up requests are told to every instance. */
  channelOf(boardId: string): string {
    return this.boardChannelPrefix + boardId
  }

  /** A message's failure is its own: logged, never thrown into ioredis's event emitter. */
  private receive(channel: string, message: Buffer): void {
    try {
      const decoder = decoding.createDecoder(new Uint8Array(message))
      if (decoding.readVarString(decoder) === this.instanceId) return
      this.counters.received()
      const kind = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (kind === KIND_CONTROL) {
        this.relay?.applyControlMessage(readControlMessage(new TextDecoder().decode(payload)))
        return
      }
      const boardId = channel.slice(this.boardChannelPrefix.length)
      const room = this.rooms.get(boardId)
      if (kind === KIND_UPDATE) {
        const writers = readRelayedWriters(decoder)
        if (!room) return
        room.applyRemoteUpdate(payload, writers, this.relayedReports(boardId))
        this.trailing.moved(boardId)
      } else if (kind === KIND_AWARENESS) room?.applyRemoteAwareness(payload)
      else if (kind === KIND_CATCH_UP) void this.catchUp(boardId)
      else throw new Error(`unknown kind ${kind}`)
    } catch (error) {
      this.counters.dropped('unreadable')
      this.logger.warn({ channel, err: errorMessage(error) }, 'unreadable redis message dropped')
    }
  }

  /**
   * What a board's relayed update reports: content it lacks, or the update
   * dropped unapplied (remote-updates.ts). Either way the board catches up
   * from the update log, which holds what was truly stored; a catch-up asked
   * for while one runs is one more after it (`catchUp`), however many asked.
   */
  private relayedReports(boardId: string): RelayedUpdateReports {
    return {
      incomplete: () => void this.catchUp(boardId),
      dropped: (reason, why) => {
        this.counters.dropped(reason)
        this.logger.warn({ boardId, reason, err: why }, 'relayed update dropped unapplied; the board is caught up from the update log')
        void this.catchUp(boardId)
      },
    }
  }
}
