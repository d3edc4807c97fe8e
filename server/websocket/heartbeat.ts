/**
 * Pings every websocket each interval and ends those from which nothing at
 * all (no pong, no frame, no byte) has come since the previous ping, as the
 * y-websocket server does. A connection whose network path died without a
 * word (a NAT or a Wi-Fi switch that forgot it) is otherwise never closed: it
 * keeps its room held, its presence shown and one of its person's connection
 * places taken, and twenty of them refused that person every new socket
 * (429) for as long as nobody wrote on the board. Any byte counts as an
 * answer, since a client sending a large message at a slow pace cannot put
 * its pong before the message's last byte; a message that takes too long is
 * another bound's business (SocketIntake).
 */

/** What the heartbeat needs of a socket. */
export interface Pinged {
  /** Whether anything has come from the client since the last ping (or since it opened). */
  readonly heardSincePing: boolean
  /** Sends a ping; heardSincePing is false until something comes. */
  ping(): void
  /** Nothing came for a whole interval: the socket is to be ended. */
  silent(): void
}

export class Heartbeat {
  private readonly sockets = new Set<Pinged>()
  private readonly timer: NodeJS.Timeout

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs)
    this.timer.unref()
  }

  watch(socket: Pinged): void {
    this.sockets.add(socket)
  }

  forget(socket: Pinged): void {
    this.sockets.delete(socket)
  }

  stop(): void {
    clearInterval(this.timer)
    this.sockets.clear()
  }

  private beat(): void {
    for (const socket of [...this.sockets]) {
      if (socket.heardSincePing) {
        socket.ping()
        continue
      }
      this.sockets.delete(socket)
      socket.silent()
    }
  }
}
