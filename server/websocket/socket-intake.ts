/**
 * What one websocket's client sends, watched below the messages, as its bytes
 * arrive: ws itself counts nothing until a message is whole, and handles
 * control frames without telling the relay. Here:
 * - a data message larger than the connection may send is refused at its
 *   header, before its payload comes (a reader needs far less than a writer);
 * - the payload of the message still arriving counts against its person's and
 *   the instance's budget of unfinished messages (UnfinishedMessages);
 * - a message must keep coming: once `messageTimeoutMs` have passed since its
 *   first header, it must have come at `messageMinBytesPerSecond` on average,
 *   or the socket is ended (a stalled or trickled frame otherwise holds its
 *   bytes for as long as the socket stays open);
 * - control frames (pings, pongs) count against the person's frames and bytes
 *   a second like any other frame: a reviewer's 1.8 million unsolicited pongs
 *   a second kept the relay's thread busy and every client waiting;
 * - anything that comes is an answer to the heartbeat's ping.
 * What goes over is ended at once: after a close frame ws would read on until
 * the closing handshake ends, and what a flood or a held frame sends meanwhile
 * would still cost.
 *
 * The bytes are read from the TCP socket under the websocket, through a
 * `data` listener of its own beside ws's (see websocket-intake.ts for why it
 * sees every byte ws does).
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import type { IncomingRates } from '../relay/incoming-rates.ts'
import { FrameReader, type FrameHeader, type UnfinishedMessage } from './frame-reader.ts'
import type { Heartbeat, Pinged } from './heartbeat.ts'
import type { UnfinishedHolder, UnfinishedMessages } from './unfinished-messages.ts'

export type PaceLimits = {
  /** How long any message may take to arrive before its pace is checked. */
  messageTimeoutMs: number
  /** After that, how fast it must have come on average since its first header. */
  messageMinBytesPerSecond: number
}

export type SocketIntakeOptions = {
  /** The largest message the connection may send. */
  maxMessageBytes: number
  /** Its person's frames and bytes a second, which its control frames count against. */
  rates: IncomingRates
  /** The budgets of unfinished messages, and whose they count against (null: the socket is its own person). */
  unfinished: UnfinishedMessages
  personId: string | null
  heartbeat: Heartbeat
  pace: PaceLimits
  /** Ends the connection at once, with why; called at most once. */
  end(event: CloseEvent): void
  /** Something failed while reading (a bug): the socket is ended, and this says what. */
  failed(error: unknown): void
}

export class SocketIntake implements Pinged {
  heardSincePing = true
  private readonly reader = new FrameReader((header) => this.frameBegins(header))
  /** Its share of the unfinished messages' budgets: the instance's may end it to make room. */
  private readonly unfinished: UnfinishedHolder
  private closed = false
  /** The unfinished message whose pace is being checked, and the timer of its next check. */
  private paced: { message: UnfinishedMessage; timer: NodeJS.Timeout } | undefined

  constructor(
    private readonly tcp: Socket,
    private readonly websocket: Pick<WebSocket, 'ping' | 'terminate'>,
    private readonly options: SocketIntakeOptions,
  ) {
    this.unfinished = options.unfinished.holder(options.personId, (event) => this.guarded(() => this.refuse(event)))
    tcp.on('data', this.onData)
    options.heartbeat.watch(this)
  }

  ping(): void {
    this.heardSincePing = false
    this.guarded(() => this.websocket.ping())
  }

  silent(): void {
    this.guarded(() => this.refuse(CLOSE.unanswered))
  }

  /** Stops watching: the socket has closed (or is being ended). Safe to call more than once. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.tcp.off('data', this.onData)
    this.reader.stop()
    clearTimeout(this.paced?.timer)
    this.paced = undefined
    this.options.heartbeat.forget(this)
    this.unfinished.release()
  }

  private readonly onData = (chunk: Buffer): void =>
    this.guarded(() => {
      this.heardSincePing = true
      this.reader.read(chunk, performance.now())
      if (this.closed) return
      const message = this.reader.unfinished
      const refusal = this.unfinished.hold(message?.receivedBytes ?? 0, message?.since ?? 0)
      if (refusal) this.refuse(refusal)
      else this.keepPace(message)
    })

  /** Runs what a socket's event or a timer set off: a throw would end the process, so a failure ends this socket alone. */
  private guarded(work: () => void): void {
    try {
      work()
    } catch (error) {
      this.close()
      this.websocket.terminate()
      this.options.failed(error)
    }
  }

  private frameBegins(header: FrameHeader): void {
    if (this.closed) return
    if (header.control) {
      if (!this.options.rates.admitFrame(header.frameBytes)) this.refuse(CLOSE.rateLimited)
    } else if (header.messagePayloadBytes > this.options.maxMessageBytes) this.refuse(CLOSE.messageTooBig)
  }

  /** Checks the pace of each unfinished message, from its first chunk on; none for a message that came whole. */
  private keepPace(message: UnfinishedMessage | null): void {
    if (message === this.paced?.message) return
    clearTimeout(this.paced?.timer)
    this.paced = undefined
    if (message) this.checkPace(message)
  }

  /** Ends the socket when the message is overdue for what has come of it, or checks again when it would be. */
  private checkPace(message: UnfinishedMessage): void {
    const { messageTimeoutMs, messageMinBytesPerSecond } = this.options.pace
    const due = message.since + messageTimeoutMs + (message.receivedBytes / messageMinBytesPerSecond) * 1000
    const wait = due - performance.now()
    if (wait <= 0) {
      this.refuse(CLOSE.messageTooSlow)
      return
    }
    const timer = setTimeout(() => this.guarded(() => this.checkPace(message)), wait)
    timer.unref()
    this.paced = { message, timer }
  }

  private refuse(event: CloseEvent): void {
    if (this.closed) return
    this.close()
    this.options.end(event)
  }
}
