/**
 * Websocket upgrades on their way into a room: their rights were read from
 * storage, and their socket has not joined yet. A change of rights in between
 * has no socket to close, so it is noted here, and the socket is closed as it
 * opens (with the close it would have got), to reconnect and be decided again.
 * Without this, on PostgreSQL (whose reads yield to other requests) sockets
 * opened with write rights after their board was archived, and joined a board
 * after it was deleted.
 */
import type { CloseEvent } from '../../shared/protocol.ts'
import type { ConnectionIdentity } from './connection.ts'
import { selects, type ConnectionSelector } from './connection-selector.ts'

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

  /**
   * Every join in flight is to be closed with `event` as it opens: for when
   * this instance may have missed a change of rights, which a join may have
   * read before (rights-recheck.ts); it reconnects and reads them afresh.
   */
  revokeAll(event: CloseEvent): void {
    for (const join of this.joins) join.revoke(event)
  }
}

export class JoinInFlight {
  private identity: Identity | null = null
  private revokedWith: CloseEvent | null = null

  constructor(
    readonly boardId: string,
    private readonly joins: Set<JoinInFlight>,
  ) {
    joins.add(this)
  }

  /** The close its socket must get as it opens, or null when its rights stand. */
  get revoked(): CloseEvent | null {
    return this.revokedWith
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

  /** The socket joined, or never will: nothing more concerns it here. */
  end(): void {
    this.joins.delete(this)
  }
}
