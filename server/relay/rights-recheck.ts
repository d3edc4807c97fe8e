/**
 * Deciding again, from the database, what this instance's open connections
 * may do: for when it may have missed a control message (its Redis
 * subscription was down while another instance took a right away, and Redis
 * keeps no message for a subscriber that is not there). Each connection whose
 * grant no longer stands is closed with the close that message would have
 * carried. Upgrades in flight, which may have read their rights before the
 * change missed, read them again before their socket opens (verify,
 * JoinInFlight.settle), and are closed as they open only if they no longer
 * stand: a socket that opens while the check reads was one of them, and an
 * upgrade that begins after the check began reads what the missed change
 * left. Off the hot path: one check for every open connection
 * at once, whose reads the check batches (server/access/open-socket-rights.ts);
 * one run at a time, and a request while one runs makes one more run after
 * it, as the first run's reads may predate what the request is about.
 *
 * A check that fails (the database does not answer) is tried again after each
 * of RETRY_DELAYS_MS; when the last try fails too, the connections it was for
 * close with "access changed" (4001), so that they reconnect and their upgrade
 * decides their rights afresh (refused with 503 while the database is away,
 * which the stock client retries). That costs little: while the database is
 * away nothing a connection sends is stored or shown to anyone, and keeping
 * the connections would let a right taken away last as long as the outage.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { errorMessage } from '../../shared/error-message.ts'
import type { Logger } from '../log.ts'
import type { Connection, ConnectionGrant, ConnectionIdentity } from './connection.ts'
import type { Room } from './room.ts'

/** An open connection as a check of rights reads it: the board, who, and what its upgrade granted. */
export type OpenGrant = { boardId: string; identity: ConnectionIdentity; grant: ConnectionGrant }

/**
 * Decides again what open connections may do: for each, in order, the close
 * its socket must get now, or null when its grant stands. Rejects when the
 * database cannot tell.
 */
export type RightsCheck = (open: readonly OpenGrant[]) => Promise<(CloseEvent | null)[]>

/** Pauses before each try again of a failed check: a blip of the database passes, an outage does not. */
const RETRY_DELAYS_MS = [1000, 3000] as const

export type RightsRecheckOptions = {
  check: RightsCheck
  /** The rooms loaded on this instance now. */
  rooms: () => Iterable<Room>
  /** Has every websocket upgrade in flight here read its rights again before its socket opens (JoinsInFlight.doubtAll). */
  doubtJoins: () => void
  /** The check found the board gone: its room here must commit nothing more. */
  boardGone: (boardId: string) => void
  logger: Logger
}

type OpenConnection = { room: Room; connection: Connection }

export class RightsRecheck {
  private running: Promise<void> | null = null
  private again = false
  private stopped = false
  private retryTimer: NodeJS.Timeout | undefined
  private wakeRetry: (() => void) | null = null

  constructor(private readonly options: RightsRecheckOptions) {}

  /** Checks every open connection in the background, soon; `joinsToo`: has the upgrades in flight now read their rights again before they open. */
  request(joinsToo: boolean): void {
    if (this.stopped) return
    if (joinsToo) this.options.doubtJoins()
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.run()
      .catch((error: unknown) => this.options.logger.error({ err: errorMessage(error) }, 'the re-check of open connections’ rights failed'))
      .finally(() => {
        this.running = null
        if (!this.again) return
        this.again = false
        this.request(false)
      })
  }

  /**
   * Decides again one upgrade's rights, as for an open connection: the close
   * they call for, or null while they stand. One that cannot be read gets
   * "access changed", as a run's connections do once it gives up: it
   * reconnects, and its upgrade decides afresh.
   */
  async verify(join: OpenGrant): Promise<CloseEvent | null> {
    try {
      const [event] = await this.options.check([join])
      return event ?? null
    } catch (error) {
      this.options.logger.warn({ boardId: join.boardId, err: errorMessage(error) }, 'could not read again the rights of an upgrade in flight across a re-check; it reconnects')
      return CLOSE.accessChanged
    }
  }

  /** No more runs nor tries again (the server is stopping); one under way ends at its next step. */
  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.wakeRetry?.()
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const open = this.openConnections()
      if (open.length === 0) return
      try {
        const verdicts = await this.options.check(open.map(({ room, connection }) => ({ boardId: room.boardId, identity: connection.identity, grant: { role: connection.role, archived: connection.archived } })))
        this.closeRevoked(open, (index) => verdicts[index] ?? null)
        return
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt]
        if (delay === undefined) {
          this.options.logger.error({ connections: open.length, err: errorMessage(error) }, 'could not re-check the rights of open connections; closing them so that their upgrade decides again')
          if (!this.stopped) this.closeRevoked(open, () => CLOSE.accessChanged)
          return
        }
        this.options.logger.warn({ connections: open.length, retryInMs: delay, err: errorMessage(error) }, 'could not re-check the rights of open connections; trying again')
        await this.pause(delay)
      }
    }
  }

  private openConnections(): OpenConnection[] {
    const open: OpenConnection[] = []
    for (const room of this.options.rooms()) for (const connection of room.connections) if (!connection.closed) open.push({ room, connection })
    return open
  }

  /** Closes each connection `closeFor` names a close for (unless it closed meanwhile); a board found gone stops committing here. */
  private closeRevoked(open: OpenConnection[], closeFor: (index: number) => CloseEvent | null): void {
    const goneBoards = new Set<string>()
    let closed = 0
    for (const [index, { room, connection }] of open.entries()) {
      const event = closeFor(index)
      if (event === null || connection.closed) continue
      connection.close(event)
      closed++
      if (event.code === CLOSE.boardDeleted.code) goneBoards.add(room.boardId)
    }
    for (const boardId of goneBoards) this.options.boardGone(boardId)
    this.options.logger.info({ checked: open.length, closed }, 're-checked the rights of open connections')
  }

  /** Waits `ms`, or until stopped. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wakeRetry = resolve
      this.retryTimer = setTimeout(resolve, ms)
      this.retryTimer.unref()
    })
    this.wakeRetry = null
    this.retryTimer = undefined
  }
}
