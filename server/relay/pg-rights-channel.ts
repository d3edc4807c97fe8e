/**
 * Rights taken away, told to the other instances through PostgreSQL as well as
 * through Redis (redis-fan-out.ts): an instance cut off Redis holds its control
 * messages until it is back, while the sockets the change concerns may be open
 * on instances that are not, and went on writing for as long as the outage
 * (or the periodic re-check, RIGHTS_RECHECK_INTERVAL_MS) lasted. The instances
 * share the database anyway, and the one that took the right away commits
 * the change there. So each control message is also sent with `pg_notify`:
 * in the change's own transaction when the change names it (the `tells` of
 * its audit entry, server/storage/pg-audited.ts), which PostgreSQL delivers
 * as it commits, whatever becomes of the deciding instance then; otherwise
 * (a session's expiry or sign-out) once the change is committed, from here.
 * Each instance LISTENs on one connection of its own, handing what arrives to
 * the same handler as Redis' (RelayControl.applyControlMessage, which leaves
 * the second copy alone).
 *
 * PostgreSQL keeps no notification for a session that is not listening: on
 * every (re)listen, the instance decides its sockets' rights again from the
 * database (rights-recheck.ts), as after resubscribing to Redis. The listening
 * connection is watched: a `select 1` every HEARTBEAT_MS, and the connection
 * dropped once silent for SILENT_AFTER_MS (a half-open network would otherwise
 * deliver nothing, and say nothing of it, for many minutes), then listened
 * again; a listen that fails is tried again, backing off to RETRY_MAX_MS.
 * A notification that cannot be sent is held, and sent again by the next
 * heartbeat or listen. Every failure is logged and contained here.
 */
import postgres from 'postgres'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import { PoolSockets, type SocketOption } from '../storage/pg-pool-sockets.ts'
import { RIGHTS_CHANNEL } from '../storage/pg-audited.ts'
import { WITHOUT_ARRAY_TYPES } from '../storage/postgres.ts'
import { encodeControlMessage, readControlMessage, type ControlMessage } from './control-message.ts'
import type { RelayControl, RoomExtension } from './room-extension.ts'

const HEARTBEAT_MS = 5000
const SILENT_AFTER_MS = 3 * HEARTBEAT_MS
const RETRY_FIRST_MS = 250
const RETRY_MAX_MS = 5000

/**
 * postgres.js's `onnotify` (what its own `listen` is built on, missing from its
 * type declarations): every notification on this client's connection. Used
 * rather than `listen`, which listens again after a reconnect only once and
 * gives up silently when that one try fails (the database still away).
 */
type NotifyOption = { onnotify: (channel: string, payload: string) => void }

export type PgRightsChannelOptions = {
  url: string
  connectTimeoutMs: number
  logger: Logger
}

export class PgRightsChannel implements RoomExtension {
  readonly name = 'pg-rights-channel'
  private relay: RelayControl | null = null
  private readonly sql: postgres.Sql
  private readonly sockets = new PoolSockets(SILENT_AFTER_MS)
  private readonly logger: Logger
  private listening = false
  private listenInFlight = false
  /** Whether it listened before: a listen after a gap also has the upgrades in flight read their rights again (recheckRightsHere). */
  private listenedBefore = false
  private failures = 0
  private retryTimer: NodeJS.Timeout | undefined
  private readonly heartbeat: NodeJS.Timeout
  /** Notifications not sent yet (the database away): few, as taking rights away is bounded by the access-change allowances. */
  private readonly held: string[] = []
  private closed = false

  constructor(options: PgRightsChannelOptions) {
    this.logger = options.logger
    const settings: postgres.Options<Record<string, never>> & SocketOption & NotifyOption = {
      max: 1,
      ...WITHOUT_ARRAY_TYPES,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutMs / 1000,
      // The one connection holds the LISTEN: it is never closed for being idle or old.
      idle_timeout: undefined,
      max_lifetime: null,
      socket: this.sockets.open,
      connection: { application_name: 'assay-rights' },
      onnotify: (channel, payload) => this.received(channel, payload),
      onclose: () => this.lost(),
    }
    this.sql = postgres(options.url, settings)
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  onAttached(relay: RelayControl): void {
    this.relay = relay
    this.listen()
  }

  onClosingConnections(message: ControlMessage, toldInCommit: boolean): void {
    if (!toldInCommit) this.notify(encodeControlMessage(message))
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.heartbeat)
    clearTimeout(this.retryTimer)
    await this.sockets.end(this.sql, 1)
  }

  private listen(): void {
    if (this.closed || this.listening || this.listenInFlight) return
    this.listenInFlight = true
    this.sql
      .unsafe(`listen ${RIGHTS_CHANNEL}`)
      .then(() => {
        this.listenInFlight = false
        if (this.closed) return
        this.listening = true
        this.logger.info({ channel: RIGHTS_CHANNEL }, 'listening for rights taken away on other instances; re-checking open connections for what came meanwhile')
        this.relay?.recheckRightsHere(this.listenedBefore)
        this.listenedBefore = true
        this.sendHeld()
      })
      .catch((error: unknown) => {
        this.listenInFlight = false
        this.failures++
        this.logger.warn({ channel: RIGHTS_CHANNEL, failures: this.failures, err: errorMessage(error) }, 'could not listen for rights taken away; trying again')
        this.retry()
      })
  }

  /** The connection closed, and its LISTEN with it. */
  private lost(): void {
    this.listening = false
    if (this.closed) return
    this.failures++
    this.logger.warn({ channel: RIGHTS_CHANNEL, failures: this.failures }, 'the connection listening for rights taken away closed; listening again')
    this.retry()
  }

  private retry(): void {
    if (this.closed || this.retryTimer !== undefined) return
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
   * has its next loss tried again soon: each listen re-checks every socket and
   * has the upgrades in flight read their rights again, so a connection ended
   * again and again (the database ending sessions) must not have that happen at once each time.
   */
  private beat(): void {
    if (!this.listening) return
    this.sql`select 1`.then(
      () => {
        this.failures = 0
      },
      (error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'the heartbeat of the connection listening for rights taken away failed'),
    )
    this.sendHeld()
  }

  private notify(payload: string): void {
    if (this.closed) return
    this.sql`select pg_notify(${RIGHTS_CHANNEL}, ${payload})`.catch((error: unknown) => {
      this.logger.warn({ err: errorMessage(error) }, 'could not notify the other instances of a right taken away; sent again once the database answers')
      this.held.push(payload)
    })
  }

  private sendHeld(): void {
    for (const payload of this.held.splice(0)) this.notify(payload)
  }

  /** A notification's failure is its own: logged, never thrown into postgres.js. */
  private received(channel: string, payload: string): void {
    if (channel !== RIGHTS_CHANNEL) return
    try {
      this.relay?.applyControlMessage(readControlMessage(payload))
    } catch (error) {
      this.logger.warn({ channel, err: errorMessage(error) }, 'unreadable notification of a right taken away dropped')
    }
  }
}
