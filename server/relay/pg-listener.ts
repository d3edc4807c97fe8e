/**
 * The one PostgreSQL connection on which an instance of several hears the
 * others, whatever becomes of Redis: the instances share the database anyway,
 * and an instance cut off Redis still reaches it. What travels here: rights
 * taken away (pg-rights-channel.ts), and the boards an instance cut off Redis
 * committed to (pg-catch-up-requests.ts). Each channel's handlers are given
 * before the registry attaches the extensions; the listener, attached last,
 * then LISTENs on every channel.
 *
 * PostgreSQL keeps no notification for a session that is not listening: on
 * every (re)listen, each channel is told (`listened`) so that it makes up for
 * what it may have missed, as after resubscribing to Redis. The connection is
 * watched: a `select 1` every HEARTBEAT_MS, and the connection dropped once
 * silent for SILENT_AFTER_MS or once a heartbeat has gone unanswered that
 * long, whatever else is written on it (a half-open network would otherwise
 * deliver nothing, and say nothing of it, for many minutes), then listened again; a
 * listen that fails is tried again, backing off to RETRY_MAX_MS. A
 * notification that cannot be sent is held, and sent again by the next
 * heartbeat or listen; the same one held twice is held once. Every failure is
 * logged and contained here.
 */
import postgres from 'postgres'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import { PoolSockets, type SocketOption } from '../storage/pg-pool-sockets.ts'
import { WITHOUT_ARRAY_TYPES } from '../storage/postgres.ts'
import { DatabaseSilent } from '../storage/storage-errors.ts'
import { DroppedNotifications } from './dropped-notifications.ts'
import type { RoomExtension } from './room-extension.ts'

export const HEARTBEAT_MS = 5000
export const SILENT_AFTER_MS = 3 * HEARTBEAT_MS
const RETRY_FIRST_MS = 250
const RETRY_MAX_MS = 5000

/**
 * postgres.js's `onnotify` (what its own `listen` is built on, missing from its
 * type declarations): every notification on this client's connection. Used
 * rather than `listen`, which listens again after a reconnect only once and
 * gives up silently when that one try fails (the database still away).
 */
type NotifyOption = { onnotify: (channel: string, payload: string) => void }

/** What one channel does with what the listener hears. */
export type ChannelHandlers = {
  /** A notification on the channel; one that throws is logged and dropped. */
  received(payload: string): void
  /** The channel is listened to; `afterGap`: not for the first time, so notifications may have been missed meanwhile. */
  listened(afterGap: boolean): void
}

/** What a channel's user may ask of the listener. */
export interface PgNotifications {
  hear(channel: string, handlers: ChannelHandlers): void
  notify(channel: string, payload: string): void
}

export type PgListenerOptions = {
  url: string
  connectTimeoutMs: number
  logger: Logger
  /** How often at most the count of notifications dropped is logged (DroppedNotifications); a minute without. */
  droppedReportIntervalMs?: number
}

export class PgListener implements RoomExtension, PgNotifications {
  readonly name = 'pg-listener'
  private readonly sql: postgres.Sql
  private readonly sockets = new PoolSockets(SILENT_AFTER_MS)
  private readonly logger: Logger
  private readonly channels = new Map<string, ChannelHandlers>()
  private readonly dropped: DroppedNotifications
  private attached = false
  private listening = false
  private listenInFlight = false
  /** A heartbeat written and not answered yet. */
  private beating = false
  /** The watch of the heartbeat in flight (watchAnswer). */
  private unanswered: NodeJS.Timeout | undefined
  private listenedBefore = false
  private failures = 0
  private retryTimer: NodeJS.Timeout | undefined
  private readonly heartbeat: NodeJS.Timeout
  /**
   * Notifications not sent yet (the database away), by channel and payload: a
   * copy is held once. Few: rights taken away are bounded by the access-change
   * allowances, catch-up requests by the boards loaded.
   */
  private readonly held = new Map<string, { channel: string; payload: string }>()
  private closed = false

  constructor(options: PgListenerOptions) {
    this.logger = options.logger
    this.dropped = new DroppedNotifications(options.logger, options.droppedReportIntervalMs)
    const settings: postgres.Options<Record<string, never>> & SocketOption & NotifyOption = {
      max: 1,
      ...WITHOUT_ARRAY_TYPES,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutMs / 1000,
      // The one connection holds the LISTEN: it is never closed for being idle or old.
      idle_timeout: undefined,
      max_lifetime: null,
      socket: this.sockets.open,
      connection: { application_name: 'assay-listener' },
      onnotify: (channel, payload) => this.received(channel, payload),
      onclose: () => this.lost(),
    }
    this.sql = postgres(options.url, settings)
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  /** Channels are told of each listen in the order they were first heard (services.ts: rights before catch-ups). */
  hear(channel: string, handlers: ChannelHandlers): void {
    this.channels.set(channel, handlers)
  }

  /** Every channel's user is attached before this (it comes last in the extensions): only now is there anyone to tell. */
  onAttached(): void {
    this.attached = true
    this.listen()
  }

  notify(channel: string, payload: string): void {
    if (this.closed) return
    this.sql`select pg_notify(${channel}, ${payload})`.catch((error: unknown) => {
      this.logger.warn({ channel, err: errorMessage(error) }, 'could not notify the other instances; sent again once the database answers')
      this.held.set(`${channel}\n${payload}`, { channel, payload })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.heartbeat)
    clearTimeout(this.retryTimer)
    clearTimeout(this.unanswered)
    this.dropped.stop()
    await this.sockets.end(this.sql, 1)
  }

  private listen(): void {
    if (this.closed || !this.attached || this.listening || this.listenInFlight) return
    this.listenInFlight = true
    const channels = [...this.channels.keys()]
    // One statement for every channel (simple protocol: several commands in one), all listened to or tried again. Not a
    // query a channel: postgres.js connects again for a query still queued when its connection closes, even once ended,
    // and the connection so made, listening, would never be closed (a failed start's close left one behind).
    this.sql
      .unsafe(channels.map((channel) => `listen ${channel}`).join('; '))
      .simple()
      .then(() => {
        this.listenInFlight = false
        if (this.closed) return
        this.listening = true
        this.logger.info({ channels }, 'listening to the other instances through PostgreSQL; making up for what came meanwhile')
        for (const [channel, handlers] of this.channels) this.contained(channel, 'making up for what a channel missed failed', () => handlers.listened(this.listenedBefore))
        this.listenedBefore = true
        this.sendHeld()
      })
      .catch((error: unknown) => {
        this.listenInFlight = false
        if (this.closed) return
        this.retry()
        this.logger.warn({ channels, failures: this.failures, err: errorMessage(error) }, 'could not listen to the other instances through PostgreSQL; trying again')
      })
  }

  /** The connection closed, and its LISTEN with it. A listen that failed closes its connection too: its catch tells that. */
  private lost(): void {
    const wasListening = this.listening
    this.listening = false
    if (this.closed) return
    this.retry()
    if (wasListening) this.logger.warn({ failures: this.failures }, 'the connection listening to the other instances through PostgreSQL closed; listening again')
  }

  /** A failure counts once however many ways it is told (a failed listen's catch and its connection's close): one retry is scheduled. */
  private retry(): void {
    if (this.closed || this.retryTimer !== undefined) return
    this.failures++
    const delay = Math.min(RETRY_FIRST_MS * 2 ** Math.max(0, this.failures - 1), RETRY_MAX_MS)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.listen()
    }, delay)
    this.retryTimer.unref()
  }

  /**
   * Keeps the connection talking, so that one gone silent is dropped
   * (PoolSockets) and listened again. A connection that lived to answer one
   * has its next loss tried again soon: each listen has every channel make up
   * for what it missed (every socket's rights re-checked, every loaded board
   * caught up), so a connection ended again and again (the database ending
   * sessions) must not have that happen at once each time.
   */
  private beat(): void {
    if (!this.listening || this.beating) return
    // One heartbeat at a time: each written resets the socket's silence deadline, so one every HEARTBEAT_MS to a
    // connection that no longer answers (stranded by a NAT or firewall) would keep it from ever being dropped.
    this.beating = true
    // The sockets' own silence deadline is not enough: Node counts writes as activity, and the notifications an instance
    // cut off Redis sends (catch-up requests, on this same connection) would keep resetting it for ever.
    this.watchAnswer()
    this.sql`select 1`
      .then(
        () => {
          this.failures = 0
        },
        (error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'the heartbeat of the connection listening to the other instances failed'),
      )
      .finally(() => {
        this.beating = false
        clearTimeout(this.unanswered)
        this.unanswered = undefined
      })
    this.sendHeld()
  }

  /**
   * Drops the connection once the heartbeat in flight has gone unanswered for SILENT_AFTER_MS: unless it reads something
   * first (an event loop stalled that long has the answer waiting in the kernel), and then watched again while the
   * heartbeat is still unanswered.
   */
  private watchAnswer(): void {
    const timer = setTimeout(() => {
      // The drop never rejects (destroyAllUnlessRead): what the catch is for is the logger, or the next watch, throwing.
      this.sockets.destroyAllUnlessRead(new DatabaseSilent(SILENT_AFTER_MS)).then((dropped) => {
        if (dropped > 0) this.logger.warn({ silentMs: SILENT_AFTER_MS }, 'the heartbeat of the connection listening to the other instances went unanswered; dropping it')
        // Still this heartbeat's watch (its answer clears it): what was read was something else, a notification.
        else if (this.unanswered === timer && !this.closed) this.watchAnswer()
      }).catch((error: unknown) => this.logger.error({ err: errorMessage(error) }, 'watching the listening connection\'s heartbeat failed'))
    }, SILENT_AFTER_MS)
    timer.unref()
    this.unanswered = timer
  }

  private sendHeld(): void {
    const held = [...this.held.values()]
    this.held.clear()
    for (const { channel, payload } of held) this.notify(channel, payload)
  }

  private received(channel: string, payload: string): void {
    const handlers = this.channels.get(channel)
    if (!handlers) return
    try {
      handlers.received(payload)
    } catch (error) {
      this.dropped.note(channel, error)
    }
  }

  /** A channel's failure is its own: logged, never thrown into postgres.js or the listen. */
  private contained(channel: string, failure: string, work: () => void): void {
    try {
      work()
    } catch (error) {
      this.logger.warn({ channel, err: errorMessage(error) }, failure)
    }
  }
}
