/**
 * The frames of what a client sends on a websocket, read from its bytes as
 * they arrive (RFC 6455, section 5.2), before the websocket library has a
 * whole message to hand over: where each frame begins, what it is, and how
 * much of a data message has come so far. The library (ws) keeps every byte
 * of an unfinished message in memory until its last one arrives, and counts
 * nothing of it meanwhile; reading the same bytes here lets the server count
 * them. Only the layout is read: what breaks the protocol, ws itself refuses
 * and closes.
 */

export type FrameHeader = {
  opcode: number
  /** The frame is a control frame (close, ping, pong), which ws handles itself. */
  control: boolean
  /** The header's bytes and the payload's, as the frame takes on the wire. */
  frameBytes: number
  /** Payload bytes of the data message this frame belongs to, this frame's included (0 for a control frame). */
  messagePayloadBytes: number
}

/** The data message whose frames are still arriving: the payload bytes that have come of it, and when its first header was read. */
export type UnfinishedMessage = { readonly receivedBytes: number; readonly since: number }

const OPCODE_CONTINUATION = 0x0
const OPCODE_CLOSE = 0x8
/** Control opcodes are 0x8 to 0xf; data opcodes below. */
const FIRST_CONTROL_OPCODE = 0x8
/** Two bytes, a 64-bit extended length, and a mask. */
const LONGEST_HEADER = 14

/** `declaredBytes`: the payload its frames' headers announced so far. */
type Message = { declaredBytes: number; receivedBytes: number; since: number }

export class FrameReader {
  private readonly header = new Uint8Array(LONGEST_HEADER)
  private headerFilled = 0
  /** The length of the header being read, once its first two bytes are (headerLength). */
  private headerBytes = 2
  /** The frame whose payload is arriving, once its header has been read. */
  private frame: { control: boolean; final: boolean; payloadLeft: number; opcode: number } | null = null
  private message: Message | null = null
  /** Set by a close frame, after which ws reads nothing more, or by stop(). */
  private stopped = false

  /** `frameBegins` is called as each frame's header is complete, before its payload has come. */
  constructor(private readonly frameBegins: (header: FrameHeader) => void) {}

  /** The data message still arriving, if one is: what ws holds of it until it is whole. */
  get unfinished(): UnfinishedMessage | null {
    return this.message
  }

  /** Reads the next bytes the client sent, `now` being when they arrived. */
  read(chunk: Uint8Array, now: number): void {
    let offset = 0
    while (offset < chunk.length && !this.stopped) {
      if (this.frame) offset += this.readPayload(chunk, offset)
      else offset += this.readHeader(chunk, offset, now)
    }
  }

  /** Reads nothing more (the socket is being closed). */
  stop(): void {
    this.stopped = true
    this.message = null
  }

  private readHeader(chunk: Uint8Array, offset: number, now: number): number {
    let taken = 0
    while (offset + taken < chunk.length) {
      this.header[this.headerFilled++] = chunk[offset + taken++]!
      // Its length is known from the first two bytes: worked out once, not again at every byte after them.
      if (this.headerFilled === 2) this.headerBytes = headerLength(this.header)
      if (this.headerFilled >= 2 && this.headerFilled === this.headerBytes) {
        this.headerRead(now)
        break
      }
    }
    return taken
  }

  private headerRead(now: number): void {
    const opcode = this.header[0]! & 0x0f
    const final = (this.header[0]! & 0x80) !== 0
    const control = opcode >= FIRST_CONTROL_OPCODE
    const headerBytes = this.headerBytes
    const payloadBytes = payloadLength(this.header)
    this.headerFilled = 0
    if (!control) {
      // A continuation belongs to the message begun before; any other data frame begins one.
      if (opcode !== OPCODE_CONTINUATION || !this.message) this.message = { declaredBytes: 0, receivedBytes: 0, since: now }
      this.message.declaredBytes += payloadBytes
    }
    this.frame = { control, final, opcode, payloadLeft: payloadBytes }
    this.frameBegins({ opcode, control, frameBytes: headerBytes + payloadBytes, messagePayloadBytes: control ? 0 : this.message!.declaredBytes })
    if (payloadBytes === 0) this.frameRead()
  }

  private readPayload(chunk: Uint8Array, offset: number): number {
    const frame = this.frame!
    const taken = Math.min(frame.payloadLeft, chunk.length - offset)
    frame.payloadLeft -= taken
    if (!frame.control) this.message!.receivedBytes += taken
    if (frame.payloadLeft === 0) this.frameRead()
    return taken
  }

  private frameRead(): void {
    const frame = this.frame!
    this.frame = null
    if (frame.opcode === OPCODE_CLOSE) this.stop()
    else if (!frame.control && frame.final) this.message = null
  }
}

/** The header's length, known from its first two bytes: the extended length's bytes, and the mask's. */
function headerLength(header: Uint8Array): number {
  const length7 = header[1]! & 0x7f
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0
  const mask = (header[1]! & 0x80) !== 0 ? 4 : 0
  return 2 + extended + mask
}

/**
 * The payload length a complete header declares, its extended length read
 * big-endian byte by byte rather than through a DataView made for every
 * frame; past 2^53 it is inexact, and over every limit all the same.
 */
function payloadLength(header: Uint8Array): number {
  const length7 = header[1]! & 0x7f
  if (length7 === 126) return header[2]! * 0x100 + header[3]!
  if (length7 === 127) {
    let length = 0
    for (let i = 2; i < 10; i++) length = length * 0x100 + header[i]!
    return length
  }
  return length7
}
