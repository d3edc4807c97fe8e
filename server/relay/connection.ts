/**
 * One socket's membership of a room: its role, who it is, what it may send a
 * second and what is queued to it. Knows nothing of the transport beyond
 * RelaySocket.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { canWrite, type Role } from '../../shared/roles.ts'
import type { Admission } from './connection-limits.ts'
import type { OutboundBudget, QueuedReceiver } from './outbound-budget.ts'
import type { EncodingBudget } from './encoding-budget.ts'
import { Throttle } from './throttle.ts'

/**
 * A sync step 1 whose reply needs an encoding of its own is answered at most
 * once a second per connection. The stock client sends one when it connects
 * (answered at once) and one per `resyncInterval` if that is set; nearly all
 * of those hold all of the board, or nothing, and are answered at once from
 * what the room keeps encoded.
 */
const PACED_SYNC_INTERVAL_MS = 1000

/**
 * The most presence bytes sent to a connection that its echoes may go
 * uncounted for: the stock client sends each change back as soon as it
 * arrives, so what it is owed is what was sent lately, not since it joined.
 */
const ECHO_CREDIT_MAX_BYTES = 1024 * 1024

/** What the relay needs of a websocket. */
export interface RelaySocket {
  /** Queues a frame. */
  send(data: Uint8Array): void
  /** Bytes queued to it and not yet written out (0 once the kernel has taken everything). */
  readonly bufferedAmount: number
  close(code: number, reason: string): void
  /** Ends the socket at once, dropping whatever is still queued to it. */
  terminate(): void
}

/**
 * Who is behind a connection, so that a change of their rights can close their
 * sockets: `sessionId` (the hash of the session cookie's token) lets the end of
 * one session close that session's sockets only.
 */
export type ConnectionIdentity = { userId: string | null; tokenId: string | null; sessionId: string | null; name: string }

/** What a connection may do, decided at the upgrade: its role, and whether the board was archived (read-only for every role). */
export type ConnectionGrant = { role: Role; archived: boolean }

export type ConnectionOptions = {
  outbound: OutboundBudget
  /** Counts this connection against the connection limits until it closes, and its frames against its person's rates. */
  admission: Admission
  /** Called once when the server closes the connection, with why. */
  onClose: (connection: Connection, event: CloseEvent, cause?: unknown) => void
}

let nextConnectionId = 1

export class Connection implements QueuedReceiver {
  readonly id = nextConnectionId++
  /** A connection is told once that its edits are dropped (a reviewer's, or additions to a full board), not on every keystroke. */
  deniedOnce = false
  closed = false
  readonly role: Role
  readonly archived: boolean
  /** Whether a sync step 1 has come: the first, the join's, is answered at once and its bytes count against nothing. */
  private syncAsked = false
  private readonly syncPace = new Throttle(PACED_SYNC_INTERVAL_MS, () => this.answerPacedSync(), (error) => this.close(CLOSE.malformedMessage, error))
  /** The step 1 waiting for its turn: the latest, since each state vector a client sends holds the ones it sent before. */
  private pacedSync: (() => void) | null = null
  /** Held apart from the options: read for every frame to every socket. */
  private readonly outbound: OutboundBudget
  /** Presence bytes sent to it that it may send back without their counting against its person's bytes a second. */
  private echoCredit = 0

  constructor(
    readonly socket: RelaySocket,
    grant: ConnectionGrant,
    readonly identity: ConnectionIdentity,
    private readonly options: ConnectionOptions,
  ) {
    this.role = grant.role
    this.archived = grant.archived
    this.outbound = options.outbound
    options.admission.claim()
  }

  get queuedBytes(): number {
    return this.socket.bufferedAmount
  }

  get canWrite(): boolean {
    return canWrite(this.role) && !this.archived
  }

  /** Counts an incoming frame against its person's rates; false when they send faster than they may. */
  admitIncoming(byteLength: number): boolean {
    return this.options.admission.rates.admitFrame(byteLength)
  }

  /** Presence of `byteLength` was sent to it: as much of what it sends back changing nothing goes uncounted. */
  sentPresence(byteLength: number): void {
    this.echoCredit = Math.min(ECHO_CREDIT_MAX_BYTES, this.echoCredit + byteLength)
  }

  /**
   * It sent back `byteLength` of presence that changed nothing, already
   * counted: given back to its person's bytes a second as far as the room
   * sent it that much. Bytes beyond, however they look, stay counted.
   */
  echoed(byteLength: number): void {
    const refund = Math.min(byteLength, this.echoCredit)
    this.echoCredit -= refund
    this.options.admission.rates.refundBytes(refund)
  }

  /** Counts presence of `byteLength` about to be sent to the room against its person's presence bytes a second; false when past them. */
  admitPresence(byteLength: number): boolean {
    return this.options.admission.rates.admitPresence(byteLength)
  }

  /** Whether an update of `byteLength` may still be added to a board this hour by this connection's person. */
  mayWrite(byteLength: number): boolean {
    return this.options.admission.rates.mayWrite(byteLength)
  }

  /** How many client ids nobody wrote before its person may still bring to boards (client-writers.ts). */
  newClientsAllowed(): number {
    return this.options.admission.rates.newClientsAllowed()
  }

  /** Counts client ids its update was the first to write under against its person's hour. */
  broughtNewClients(count: number): void {
    this.options.admission.rates.broughtNewClients(count)
  }

  /** Counts what the board took in of this connection's update against its person's hour. */
  wrote(byteLength: number): void {
    this.options.admission.rates.wrote(byteLength)
  }

  /** Runs `answer` (to a sync step 1 whose reply needs an encoding of its own) in its turn, instead of any one still waiting. */
  paceSync(answer: () => void): void {
    this.pacedSync = answer
    this.syncPace.request()
  }

  private answerPacedSync(): void {
    const answer = this.pacedSync
    this.pacedSync = null
    answer?.()
  }

  /** Whether this is the connection's first sync step 1, the join's, whose reply counts against no bytes a second; true once only. */
  joinSync(): boolean {
    if (this.syncAsked) return false
    this.syncAsked = true
    return true
  }

  /** What its person may still have encoded for sync replies of their own. */
  get encodings(): EncodingBudget {
    return this.options.admission.rates.encodings
  }

  /**
   * Counts work the connection asked for (an answer, an update's splits)
   * against its person's bytes a second, as if it had sent that many bytes;
   * false when that is more than they may have now.
   */
  admitWork(byteLength: number): boolean {
    return this.options.admission.rates.admitWork(byteLength)
  }

  /** Counts work done for the connection (an update's walks along runs of marks) against its person's bytes a second, in debt where it passes them (IncomingRates.chargeWork); false when it did. */
  chargeWork(byteLength: number): boolean {
    return this.options.admission.rates.chargeWork(byteLength)
  }

  /** Queues a frame; returns false when the connection is closed, or was closed for falling behind. */
  send(frame: Uint8Array): boolean {
    if (this.closed) return false
    const refusal = this.outbound.reserve(this, frame.byteLength)
    if (refusal) {
      this.abort(refusal)
      return false
    }
    this.socket.send(frame)
    this.outbound.sent(this)
    return true
  }

  /** Closes the socket with a close frame (sent after what is already queued). */
  close(event: CloseEvent, cause?: unknown): void {
    if (!this.ended()) return
    const refused = this.closeSocket(event)
    this.options.onClose(this, event, cause ?? refused)
  }

  /** Ends the socket at once: for a reader too slow to ever get the close frame, whose backlog must be freed. */
  abort(event: CloseEvent): void {
    if (!this.ended()) return
    const refused = this.closeSocket(event)
    this.socket.terminate()
    this.options.onClose(this, event, refused)
  }

  /** Marks the connection closed and stops counting it; false when it already was. */
  ended(): boolean {
    if (this.closed) return false
    this.closed = true
    this.syncPace.cancel()
    this.pacedSync = null
    this.outbound.forget(this)
    this.options.admission.release()
    return true
  }

  /**
   * Sends the close frame, or ends the socket without one when the socket
   * refuses the event (a code or reason it cannot carry): marked closed, a
   * connection left open would be neither served nor heard. Returns the
   * refusal, for the log.
   */
  private closeSocket(event: CloseEvent): unknown {
    try {
      this.socket.close(event.code, event.reason)
      return undefined
    } catch (error) {
      this.socket.terminate()
      return error
    }
  }
}
