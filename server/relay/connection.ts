/**
 * One socket's membership of a room: its role, who it is, and the awareness
 * states it controls. Knows nothing of the transport beyond RelaySocket.
 */
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'

export type Role = 'owner' | 'editor' | 'reviewer'

/** What the relay needs of a websocket. */
export interface RelaySocket {
  send(data: Uint8Array): void
  close(code: number, reason: string): void
  /** Bytes queued but not yet written; a socket that falls too far behind is closed. */
  readonly bufferedAmount: number
}

/** Who is behind a connection, so that a change of their rights can close their sockets. */
export type ConnectionIdentity = { userId: string | null; tokenId: string | null; name: string }

/** Past this backlog a client is not keeping up; it is closed and resyncs when it reconnects. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024

let nextConnectionId = 1

export class Connection {
  readonly id = nextConnectionId++
  /** Awareness client ids this connection has announced; removed for everyone when it leaves. */
  readonly awarenessClients = new Set<number>()
  /** A reviewer is told once that its edits are dropped, not on every keystroke. */
  deniedOnce = false
  closed = false

  constructor(
    readonly socket: RelaySocket,
    readonly role: Role,
    readonly identity: ConnectionIdentity,
  ) {}

  get canWrite(): boolean {
    return this.role !== 'reviewer'
  }

  /** Sends a frame; returns false when the socket was closed for falling behind. */
  send(frame: Uint8Array): boolean {
    if (this.closed) return false
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.tooSlow)
      return false
    }
    this.socket.send(frame)
    return true
  }

  close(event: CloseEvent): void {
    if (this.closed) return
    this.closed = true
    this.socket.close(event.code, event.reason)
  }
}
