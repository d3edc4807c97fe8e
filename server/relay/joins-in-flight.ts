/**
 * Websocket upgrades on their way into a room: their rights were read from
 * storage, and their socket has not joined yet. A change of rights in between
 * has no socket to close, so it is noted here, and the socket is closed as it
 * opens (with the close it would have got), to reconnect and be decided again.
 * Without this, on PostgreSQL (whose reads yield to other requests) sockets
 * opened with write rights after their board was archived, and joined a board
 * after it was deleted.
 *
 * A re-check of rights (rights-recheck.ts) does not know which change this
 * instance may have missed: it doubts every join in flight, which then reads
 * its rights again before its socket opens (settle), and is closed only if
 * they no longer stand. Closing them all instead cut off, every few minutes,
 * whoever happened to be connecting, to reconnect for nothing.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import type { ConnectionIdentity } from './connection.ts'
import { closeFor, selects, type ConnectionSelector } from './connection-selector.ts'

type Identity = Pick<ConnectionIdentity, 'userId' | 'tokenId' | 'sessionId'>

export class JoinsInFlight {
  private readonly joins = new Set<JoinInFlight>()

  /** Call before the upgrade's first read of rights, so that every change of rights after that read reaches it. */
  begin(boardId: string): JoinInFlight {
    return new JoinInFlight(boardId, this.joins)
  }

  /** Rights matching `selector` changed: every join that may be theirs is to be closed with `event` as it opens. */
  revoke(selector: ConnectionSelector, event: CloseEvent): void {
    for (const join of this.joins) if (join.mayBe(selector)) join.revoke(event)
  }

  /** This instance may have missed a change of rights, which every join in flight may have read before: each is to read its rights again. */
  doubtAll(): void {
    for (const join of this.joins) join.doubt()
  }
}

export class JoinInFlight {
  private identity: Identity | null = null
  private revokedWith: CloseEvent | null = null
  /** A re-check came since its rights were last read. */
  private doubted = false

  constructor(
    readonly boardId: string,
    private readonly joins: Set<JoinInFlight>,
  ) {
    joins.add(this)
  }

  /**
   * The close its socket must get as it opens, or null when its rights stand.
   * A doubt not settled (a re-check in the moment between its settling and the
   * socket's opening, the socket not yet open for it to check) sends it to
   * reconnect and read them afresh.
   */
  get revoked(): CloseEvent | null {
    const event = this.revokedWith ?? (this.doubted ? CLOSE.accessChanged : null)
    return event && this.identity ? closeFor(event, this.identity) : event
  }

  /** Who is joining, once known: until then every change of rights on its board may concern it. */
  identify(identity: Identity): void {
    this.identity = identity
  }

  mayBe(selector: ConnectionSelector): boolean {
    if (selector.boardId !== undefined && selector.boardId !== this.boardId) return false
    return this.identity === null || selects(selector, this.boardId, this.identity)
  }

  revoke(event: CloseEvent): void {
    this.revokedWith ??= event
  }

  doubt(): void {
    this.doubted = true
  }

  /**
   * Once its rights are decided, and before its socket opens: while re-checks
   * doubt them, `read` decides them again from the database (the close they
   * call for, or null while they stand), each read after the doubt it settles.
   */
  async settle(read: () => Promise<CloseEvent | null>): Promise<void> {
    while (this.doubted && this.revokedWith === null) {
      this.doubted = false
      const event = await read()
      if (event) this.revoke(event)
    }
  }

  /** The socket joined, or never will: nothing more concerns it here. */
  end(): void {
    this.joins.delete(this)
  }
}
