/**
 * An accepted upgrade's socket in its room, from the moment it opens until it
 * closes. Holds what it needs from the decision (upgrade-decision.ts), never a
 * request or its context: it lives as long as the socket.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { CLOSE } from '../../shared/protocol.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { Connection } from '../relay/connection.ts'
import type { Services } from '../services.ts'
import { WebsocketRelaySocket } from '../websocket/relay-socket.ts'
import type { SocketIntake } from '../websocket/socket-intake.ts'
import type { UpgradeDecision } from './upgrade-decision.ts'

export class UpgradeJoin {
  private connection: Connection | undefined
  private intake: SocketIntake | undefined

  constructor(
    private readonly services: Services,
    private readonly decision: UpgradeDecision,
    /** The TCP socket ws reads and writes: its intake reads the same bytes as they come (server/websocket/websocket-intake.ts), and the relay writes its frames to it (relay-socket.ts). */
    private readonly tcp: Socket,
  ) {}

  /**
   * Until the socket opens, the connection's close gives back what the
   * decision held at once, not after the holds' half minute: ws answers a
   * handshake it cannot take (no key, another version, a POST) itself and
   * never opens it, and a client may go while its upgrade is decided.
   */
  watchHandshake(): void {
    if (this.tcp.destroyed) this.abandon()
    else this.tcp.once('close', this.abandon)
  }

  private readonly abandon = (): void => {
    this.decision.admission.release()
    this.decision.held.release()
  }

  open(raw: WebSocket): void {
    this.tcp.off('close', this.abandon)
    const { boardId, grant, identity, admission, held, join } = this.decision
    const { room, release } = held
    // Every close of the server's, the join's as the room's, goes through the relay socket, which stops reading the socket it closes.
    const socket = new WebsocketRelaySocket(raw, this.tcp)
    // ws closes a socket whose frames break the protocol and would read on until its close timeout: nothing such a client sends is worth reading.
    raw.once('error', () => raw.terminate())
    const revoked = join.revoked
    if (revoked) {
      // Its rights changed after they were read: it reconnects and is decided again (or, for a deleted board, stops).
      admission.release()
      release()
      socket.close(revoked.code, revoked.reason)
      return
    }
    try {
      this.connection = room.connect(socket, grant, identity, admission)
    } catch (error) {
      this.services.logger.error({ boardId, err: errorMessage(error) }, 'could not join the board; closing the socket')
      admission.release()
      socket.close(CLOSE.internalError.code, CLOSE.internalError.reason)
    } finally {
      release()
    }
    const joined = this.connection
    if (joined) {
      this.intake = this.services.websocketIntake.watch(this.tcp, raw, { personId: identity.userId, canWrite: joined.canWrite, rates: admission.rates, end: (event) => joined.abort(event) })
    }
  }

  /** A binary frame, in memory of its own (a view into the socket's read would keep that whole read alive as long as the room keeps the frame). */
  receive(frame: Uint8Array): void {
    if (this.connection) this.decision.held.room.receive(this.connection, frame)
  }

  /** The relay speaks binary frames only. */
  receiveText(): void {
    this.connection?.close(CLOSE.malformedMessage, new Error('text frame'))
  }

  close(): void {
    this.intake?.close()
    if (this.connection) this.decision.held.room.disconnect(this.connection)
    else {
      this.decision.admission.release()
      this.decision.held.release()
    }
  }
}
