/**
 * What may arrive a second, in frames and in bytes (an update's cost in splits
 * and in structs to check, and the answers asked for count as bytes too), what presence may be applied
 * a second, what may be added to boards
 * an hour, how much of boards nobody held may be loaded a minute, and how much
 * of boards may be encoded for sync replies of their own (SyncAnswers.step2Frames), from one
 * person over all their connections on this instance, or from one connection
 * without a person. Per person, since a
 * person may hold `connectionsPerPerson` sockets: counted per connection,
 * twenty sockets sent twenty times what one may.
 */
import { LIMITS, type RelayLimits } from '../../shared/limits.ts'
import { NEW_CLIENTS_PER_HOUR } from './client-writers.ts'
import { encodingBudget, type EncodingBudget } from './encoding-budget.ts'
import { TokenBucket } from './token-bucket.ts'

export type IncomingRateLimits = Pick<RelayLimits, 'messagesPerSecond' | 'bytesPerSecond' | 'writtenBytesPerHour' | 'loadedBytesPerMinute' | 'presenceBytesPerSecond'>

export class IncomingRates {
  private readonly messages: TokenBucket
  private readonly bytes: TokenBucket
  private readonly written: TokenBucket
  private readonly loaded: TokenBucket
  private readonly presence: TokenBucket
  /** Client ids nobody wrote before, brought to boards (client-writers.ts). */
  private readonly newClients = new TokenBucket(NEW_CLIENTS_PER_HOUR / 3600, NEW_CLIENTS_PER_HOUR)
  /** Boards encoded for their sync replies of their own (SyncAnswers.step2Frames). */
  readonly encodings: EncodingBudget
  /** How long all of them take to fill again from empty. */
  readonly refillMs: number

  /**
   * `ofPerson`: they are one person's over all their connections, kept as
   * long as they take to refill, so that what is owed to them (a place in
   * line, ColdLoads) can be known again at their next ask; false: one
   * connection's, on a server without accounts.
   */
  constructor(
    { messagesPerSecond, bytesPerSecond, writtenBytesPerHour, loadedBytesPerMinute, presenceBytesPerSecond }: IncomingRateLimits,
    readonly ofPerson: boolean,
  ) {
    const messageBurst = messagesPerSecond * 2
    // A burst may hold one frame of the largest size, e.g. a client's whole offline work in its sync step 2.
    const byteBurst = Math.max(bytesPerSecond * 2, LIMITS.maxMessageBytes)
    this.messages = new TokenBucket(messagesPerSecond, messageBurst)
    this.bytes = new TokenBucket(bytesPerSecond, byteBurst)
    this.written = new TokenBucket(writtenBytesPerHour / 3600, writtenBytesPerHour)
    this.loaded = new TokenBucket(loadedBytesPerMinute / 60, loadedBytesPerMinute)
    // Apart from the bytes a second: a page's step 2 of offline work, sent right after its step 1, must not find them spent on the reply.
    this.encodings = encodingBudget(bytesPerSecond)
    this.presence = new TokenBucket(presenceBytesPerSecond, presenceBytesPerSecond * 2)
    this.refillMs = Math.ceil(1000 * Math.max(messageBurst / messagesPerSecond, byteBurst / bytesPerSecond, 3600))
  }

  /** Counts an incoming frame; false when it comes faster than it may. */
  admitFrame(byteLength: number): boolean {
    return this.messages.take(1) && this.bytes.take(byteLength)
  }

  /**
   * Gives back the bytes of a frame that only sent back what the relay had
   * sent (the stock client's echo of presence): the frame still counts, its
   * bytes do not.
   */
  refundBytes(byteLength: number): void {
    this.bytes.refund(byteLength)
  }

  /**
   * Counts presence of `byteLength` about to be applied, which the relay
   * sends to everyone in the room; false while they are still paying for the
   * last.
   */
  admitPresence(byteLength: number): boolean {
    return this.presence.takeInDebt(byteLength)
  }

  /** Whether an update of `byteLength` may still be added to a board this hour: at most that much of it can be new to the board. */
  mayWrite(byteLength: number): boolean {
    return this.written.holds(byteLength)
  }

  /** Counts what a board took in of an update (it may go past what was left, once: the next is refused). */
  wrote(byteLength: number): void {
    this.written.spend(byteLength)
  }

  /** Whether a board nobody holds here may be loaded for them: not while what they loaded lately is past the minute's bytes. */
  mayLoad(): boolean {
    return this.loaded.holds(0)
  }

  /** Counts a board loaded for them (known once loaded: it may go past what was left, once). */
  didLoad(byteLength: number): void {
    this.loaded.spend(byteLength)
  }

  /** How many client ids nobody wrote before they may still bring to boards now. */
  newClientsAllowed(): number {
    return this.newClients.available()
  }

  /** Counts client ids an applied update was the first to write under. */
  broughtNewClients(count: number): void {
    this.newClients.spend(count)
  }

  /** Counts work asked for as if that many bytes had been sent; false when that is more than may be had now. */
  admitWork(byteLength: number): boolean {
    return this.bytes.take(byteLength)
  }

  /**
   * Counts work already done as if that many bytes had been sent, whatever is
   * left: past it the bytes a second go into debt, which the refill pays back
   * before any frame is taken again (what a board took in an hour is counted
   * so too). False when they did. Refused for want of bytes, work done took
   * nothing: a member closed that way found what it cost still there on
   * their next socket, and had it done again for free.
   */
  chargeWork(byteLength: number): boolean {
    this.bytes.spend(byteLength)
    return this.bytes.holds(0)
  }
}
