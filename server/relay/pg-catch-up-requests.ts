/**
 * An instance cut off Redis alone (its connections lost, the others' still
 * up) hears the others' edits through its own background catch-ups
 * (trailing-catch-ups.ts), but they would hear nothing of its edits until it
 * is back: their members would see a split board for the whole outage. So
 * the boards it commits to while its messages cannot be published are told
 * to the other instances through PostgreSQL, which every instance of several
 * shares and listens to (pg-listener.ts), and each catches them up from the
 * update log, the same path as a catch-up asked for on Redis.
 *
 * Bounded either way: a sender gathers the boards and tells each at most once
 * a REQUEST_INTERVAL_MS, however many keystrokes (one notification a board,
 * not one a commit); a listener acts only on a well-formed request for a board
 * loaded here, from another instance, and a board's catch-ups are coalesced
 * (one running, at most one more after it). Requests missed while the
 * listening connection was down, or not up yet, are made up for by catching
 * every loaded board up each time it listens.
 */
import { z } from 'zod'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import type { PgNotifications } from './pg-listener.ts'
import { Throttle } from './throttle.ts'

export const CATCH_UP_CHANNEL = 'assay_catch_up'
/** How often an instance cut off Redis tells the others which boards it committed to since. */
const REQUEST_INTERVAL_MS = 1000
/** Longer than any request an instance sends: anything longer is not read. */
const REQUEST_MAX_CHARS = 256

/** Read like any input: anyone connected to the database can notify on the channel. */
const requestSchema = z.strictObject({ from: z.string().max(64), boardId: z.string().min(1).max(64) })

export type PgCatchUpRequestsOptions = {
  listener: PgNotifications
  /** Tells this instance's own requests apart when they come back. */
  instanceId: string
  /** Whether the board is loaded here: a request for any other is ignored. */
  loaded(boardId: string): boolean
  /** Catches the board up from the update log (never rejecting; coalesced per board). */
  catchUp(boardId: string): void
  /** Every loaded board, caught up after a gap in listening. */
  loadedBoards(): Iterable<string>
  logger: Logger
}

export class PgCatchUpRequests {
  /** The boards committed to here since the last requests were sent, while the others could not hear of it on Redis. */
  private readonly pending = new Set<string>()
  private readonly sending: Throttle
  private closed = false

  constructor(private readonly options: PgCatchUpRequestsOptions) {
    this.sending = new Throttle(REQUEST_INTERVAL_MS, () => this.send(), (error) => options.logger.error({ err: errorMessage(error) }, 'sending catch-up requests through PostgreSQL failed'))
    options.listener.hear(CATCH_UP_CHANNEL, {
      received: (payload) => this.received(payload),
      // Every listen, the first too: a first listen that needed retries may come after boards were loaded, and requests
      // sent meanwhile were missed. With none loaded (the usual first listen) it costs nothing.
      listened: () => {
        for (const boardId of [...options.loadedBoards()]) options.catchUp(boardId)
      },
    })
  }

  /** The board committed here while its update could not be published on Redis: the others are told to catch it up. */
  ask(boardId: string): void {
    this.pending.add(boardId)
    // Once closed (a commit of the shutdown coming last), sent at once: a throttle's timer would outlive the instance.
    if (this.closed) this.send()
    else this.sending.request()
  }

  /** Sends what is gathered now (the last commits of a shutdown while cut off), rather than at the end of the interval. */
  close(): void {
    this.closed = true
    this.sending.cancel()
    this.send()
  }

  private send(): void {
    const boardIds = [...this.pending]
    this.pending.clear()
    for (const boardId of boardIds) this.options.listener.notify(CATCH_UP_CHANNEL, JSON.stringify({ from: this.options.instanceId, boardId }))
  }

  /** Throws on a request it cannot read (the listener logs and drops it). */
  private received(payload: string): void {
    if (payload.length > REQUEST_MAX_CHARS) throw new Error(`catch-up request of ${payload.length} characters`)
    const { from, boardId } = requestSchema.parse(JSON.parse(payload))
    if (from === this.options.instanceId || !this.options.loaded(boardId)) return
    this.options.catchUp(boardId)
  }
}
