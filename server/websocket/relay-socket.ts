/**
 * The relay's side of one websocket (RelaySocket). A broadcast hands the same
 * frame to every socket of a room, once per keystroke: ws would frame it
 * again for each (its header, a Buffer view of the payload, the options it
 * passes down) and write header and payload as two chunks through a corked
 * stream. Here a small message is framed once, into one buffer, for every
 * socket it goes to (`websocketFrame`), and written to each TCP socket as it
 * is: the same bytes ws would write, in the same order as whatever ws writes
 * itself (pings, pongs, the close frame).
 *
 * That holds while ws writes each frame as it is handed one, which it does
 * unless it compresses (permessage-deflate, which the server does not
 * offer) or reads a Blob (the relay sends none); a socket that negotiated an
 * extension all the same is written through ws. So is every frame to a
 * socket that is no longer open, so that ws refuses it and counts it as
 * before, and every large one, which a copy into one buffer would cost more
 * than it saves.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import type { RelaySocket } from '../relay/connection.ts'

/** ws's readyStates of an open socket and of a closed one (WebSocket.OPEN, WebSocket.CLOSED). */
const OPEN = 1
const CLOSED = 3

/**
 * How long ws keeps a closing socket before ending it (its `closeTimeout`,
 * 30 s unless set): long enough for the close frame and the end of the
 * connection to reach a client on a slow network before a reset could
 * overtake them. Once the server has closed a socket, this is all it holds
 * it for, read no more (WebsocketRelaySocket.close); once the client has, ws
 * reads on without parsing until the client ends the connection, at most
 * this long.
 */
export const CLOSE_TIMEOUT_MS = 5_000

/** Messages up to this size are framed once into one buffer; larger ones go through ws, which writes the payload without a copy. */
export const FRAMED_ONCE_BYTES = 16 * 1024

export class WebsocketRelaySocket implements RelaySocket {
  /** Whether frames may be written to the TCP socket directly: ws queues none of its own (no extension). */
  private readonly direct: boolean

  /** `tcp`: the socket ws reads and writes, the upgrade request's own (see websocket-intake.ts). */
  constructor(
    private readonly websocket: WebSocket,
    private readonly tcp: Socket,
  ) {
    this.direct = websocket.extensions === ''
  }

  send(data: Uint8Array): void {
    if (this.direct && data.byteLength <= FRAMED_ONCE_BYTES && this.websocket.readyState === OPEN) this.tcp.write(websocketFrame(data))
    else this.websocket.send(data)
  }

  /**
   * ws's own count: what the TCP socket holds, and what ws queued itself, which
   * on an open socket without an extension is nothing (ws queues only while
   * compressing or reading a Blob, and counts frames sent after the close as
   * queued). Read from the TCP socket alone then: this is read twice for every
   * frame to every socket (outbound-budget.ts).
   */
  get bufferedAmount(): number {
    return this.direct && this.websocket.readyState === OPEN ? this.tcp.writableLength : this.websocket.bufferedAmount
  }

  /**
   * Sends the close frame, then reads nothing more: ws would go on reading
   * and handing over every frame until the client's own close frame came, or
   * for its close timeout (server.ts), and a client that floods instead kept
   * the relay's thread busy with frames nobody counts, its connection already
   * given up. Paused (through ws, whose own pause its drain handler keeps),
   * the socket is half-closed after the close frame, so a client that obeys
   * it sees the end of the connection at once, its code intact; ws ends the
   * socket at its close timeout. A frame already read with the close is still
   * handed over, to a connection that drops it.
   */
  close(code: number, reason: string): void {
    this.websocket.close(code, reason)
    if (this.websocket.readyState === CLOSED) return
    this.websocket.pause()
    this.tcp.end()
  }

  terminate(): void {
    this.websocket.terminate()
  }
}

/**
 * The last message framed, and its frame: a broadcast frames its message for
 * the first socket and reuses the frame for the others. Keyed by the message
 * itself: the relay never changes a message once it has sent it.
 */
let lastMessage: Uint8Array | null = null
let lastFrame: Buffer = Buffer.alloc(0)

/** `message` (at most FRAMED_ONCE_BYTES) as one final, unmasked binary websocket frame, as a server sends it (RFC 6455, 5.2). */
export function websocketFrame(message: Uint8Array): Buffer {
  if (message !== lastMessage) {
    lastFrame = frameOf(message)
    lastMessage = message
  }
  return lastFrame
}

/** FIN and the binary opcode. */
const FINAL_BINARY = 0x82

/** A message of at most FRAMED_ONCE_BYTES: its length fits the header's 7 bits, or the 16 that follow them. */
function frameOf(message: Uint8Array): Buffer {
  const length = message.byteLength
  const headerBytes = length > 125 ? 4 : 2
  const frame = Buffer.allocUnsafe(headerBytes + length)
  frame[0] = FINAL_BINARY
  if (headerBytes === 2) frame[1] = length
  else {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  }
  frame.set(message, headerBytes)
  return frame
}
