/**
 * What the server watches on every websocket below its messages (each
 * socket's SocketIntake), with what they share: the budgets of unfinished
 * messages and the heartbeat.
 *
 * The bytes are read from the TCP socket of the upgrade, the request's
 * `incoming.socket`, which @hono/node-server hands to ws as it is, through a
 * `data` listener of our own added when the websocket opens (ws exposes no
 * event for bytes before a frame is whole). It sees every byte ws does, those
 * that came with the upgrade request included: ws's own listener, added as it
 * completes the upgrade, sets the socket flowing only on the next tick
 * (Readable.resume), and Hono calls onOpen in a microtask of that same turn,
 * which runs first. The test "a frame sent with the upgrade request is
 * counted" (test/websocket-intake.test.ts) fails if an upgrade of either
 * changes that.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { LIMITS, type RelayLimits } from '../../shared/limits.ts'
import type { CloseEvent } from '../../shared/protocol.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import type { IncomingRates } from '../relay/incoming-rates.ts'
import { Heartbeat } from './heartbeat.ts'
import { SocketIntake } from './socket-intake.ts'
import { UnfinishedMessages } from './unfinished-messages.ts'

export type IntakeLimits = Pick<RelayLimits, 'readOnlyMessageBytes' | 'unfinishedBytes' | 'messageTimeoutMs' | 'messageMinBytesPerSecond' | 'pingIntervalMs'>

/** Who is behind a websocket, as its intake counts them. */
export type WatchedConnection = {
  /** Null on a server without accounts: the socket is then its own person. */
  personId: string | null
  /** Whether it may change the board: one that cannot has no use for large messages. */
  canWrite: boolean
  rates: IncomingRates
  /** Ends the connection at once, with why. */
  end(event: CloseEvent): void
}

export class WebsocketIntake {
  /**
   * A person's unfinished messages hold at most one message of the largest
   * size together: what their bytes a second let them send at once.
   */
  readonly unfinished: UnfinishedMessages
  private readonly heartbeat: Heartbeat

  constructor(
    private readonly limits: IntakeLimits,
    private readonly logger: Logger,
  ) {
    this.unfinished = new UnfinishedMessages({ perPerson: LIMITS.maxMessageBytes, total: limits.unfinishedBytes })
    this.heartbeat = new Heartbeat(limits.pingIntervalMs)
  }

  /** Watches an open websocket's TCP socket; close() the intake once the websocket has closed. */
  watch(tcp: Socket, websocket: WebSocket, connection: WatchedConnection): SocketIntake {
    return new SocketIntake(tcp, websocket, {
      maxMessageBytes: connection.canWrite ? LIMITS.maxMessageBytes : this.limits.readOnlyMessageBytes,
      rates: connection.rates,
      unfinished: this.unfinished,
      personId: connection.personId,
      heartbeat: this.heartbeat,
      pace: this.limits,
      end: connection.end,
      failed: (error) => this.logger.error({ user: connection.personId, err: errorMessage(error) }, 'reading a websocket failed; it was ended'),
    })
  }

  /** Stops the heartbeat (the server is stopping). */
  stop(): void {
    this.heartbeat.stop()
  }
}
