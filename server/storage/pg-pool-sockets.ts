/**
 * The sockets of one postgres.js pool, which it opens through `open` (its
 * `socket` option): TCP connections dropped once silent too long, known to the
 * pool's end, which need not wait for a connection that is already gone.
 */
import { connect, type Socket } from 'node:net'
import type postgres from 'postgres'
import { DatabaseSilent } from './storage-errors.ts'

/** postgres.js's `socket` option (documented in its README, missing from its type declarations). */
export type SocketOption = { socket: (settings: { host: string[]; port: number[]; path?: string | false }) => Socket }

/** How long past the statement timeout a silent connection is given (the server's own cancellation must get through first). */
export const SILENCE_MARGIN_MS = 2000

/**
 * What makes no query of a client hang: PostgreSQL cancels a statement
 * running past `statementTimeoutMs`, and ends a transaction its client left
 * idle (gone) a little longer; a connection on which the server said nothing
 * for SILENCE_MARGIN_MS more is dropped (a half-open connection: the database
 * host frozen or dead, or a box in between still acknowledging while nothing
 * gets through), so its query fails. `socket` and `connection` are the
 * client's settings of those names (more parameters may be added to
 * `connection`), `sockets` ends the client.
 */
export function boundedStatements(statementTimeoutMs: number): {
  sockets: PoolSockets
  silenceMs: number
  socket: SocketOption['socket']
  connection: { statement_timeout: number; idle_in_transaction_session_timeout: number }
} {
  const silenceMs = statementTimeoutMs + SILENCE_MARGIN_MS
  const sockets = new PoolSockets(silenceMs)
  return { sockets, silenceMs, socket: sockets.open, connection: { statement_timeout: statementTimeoutMs, idle_in_transaction_session_timeout: silenceMs } }
}

export class PoolSockets {
  private readonly live = new Set<Socket>()
  private noneLive: (() => void) | undefined

  /** `silenceMs`: how long nothing may cross a connection before it is dropped; without it, never for its silence. */
  constructor(private readonly silenceMs?: number) {}

  /**
   * A TCP connection that is destroyed once nothing has crossed it for
   * `silenceMs` (TLS traffic on top counts too), nor comes in once it is read. The pool's idle timeout ends
   * idle connections before that, so only a connection waiting for an answer
   * that is not coming reaches the deadline.
   */
  readonly open: SocketOption['socket'] = (settings) => {
    const socket: Socket = settings.path ? connect(settings.path) : connect(settings.port[0] ?? 5432, settings.host[0] ?? 'localhost')
    // postgres.js names the server in its errors, and TLS checks its certificate against it.
    Object.assign(socket, { host: settings.host[0], port: settings.port[0] })
    const silenceMs = this.silenceMs
    if (silenceMs !== undefined) {
      socket.setTimeout(silenceMs, () => {
        destroyUnlessRead(socket, new DatabaseSilent(silenceMs))
      })
    }
    this.live.add(socket)
    socket.once('close', () => {
      this.live.delete(socket)
      if (this.live.size === 0) this.noneLive?.()
    })
    return socket
  }

  /**
   * Destroys every socket open now, with `error`: for a client that knows a
   * connection unanswering although bytes keep being written to it (Node
   * counts writes as activity, so the silence deadline never comes).
   */
  destroyAll(error: Error): void {
    for (const socket of this.live) destroyTelling(socket, error)
  }

  /**
   * As destroyAll, for each socket that reads nothing before what the kernel holds for it is read (destroyUnlessRead);
   * resolves with how many, and never rejects (destroyUnlessRead cannot fail).
   */
  async destroyAllUnlessRead(error: Error): Promise<number> {
    const destroyed = await Promise.all([...this.live].map((socket) => new Promise<boolean>((resolve) => destroyUnlessRead(socket, error, resolve))))
    return destroyed.filter(Boolean).length
  }

  /**
   * Ends `sql`, the pool whose sockets these are, letting its queries finish
   * for up to `timeoutSeconds`; ended too once none of its sockets is open.
   * postgres.js's own end waits the whole timeout for a connection that closed
   * under a query (its backend ended, a connection dropped for its silence):
   * the connection keeps that failed query as the one it runs, and its end
   * waits for it to finish (porsager/postgres#1097). A pool with no socket
   * open has nothing left to finish.
   */
  async end(sql: postgres.Sql, timeoutSeconds: number): Promise<void> {
    const ending = sql.end({ timeout: timeoutSeconds })
    const noneLive = new Promise<void>((resolve) => (this.live.size === 0 ? resolve() : (this.noneLive = resolve)))
    await Promise.race([ending, noneLive])
  }
}

/**
 * Destroys `socket` with `error` unless it reads something first: looked at
 * again once what the kernel holds for it has been read, for a deadline that
 * passed while this thread was held up (a large board applied) runs before
 * what the database answered meanwhile is read. `done` is told whether it was
 * destroyed. Nothing here throws but a listener of the socket told of its
 * error and close (destroyTelling), as it would throw on Node's own telling,
 * so no caller has a failure to catch.
 */
function destroyUnlessRead(socket: Socket, error: Error, done?: (destroyed: boolean) => void): void {
  const readBefore = socket.bytesRead
  setImmediate(() => {
    const destroyed = !socket.destroyed && socket.bytesRead === readBefore
    if (destroyed) destroyTelling(socket, error)
    done?.(destroyed)
  })
}

/**
 * Destroys `socket` for `error`, its client told of both at once. Node tells a
 * socket destroyed with an error of its close only once its handle has closed,
 * a turn of the event loop later; what postgres.js is asked meanwhile (a
 * caller trying again as its query fails) it queues on the connection it
 * still takes for busy, and writes later: at the close it drops that write,
 * and, the close being "with an error", leaves the query neither sent nor
 * failed. With one connection (the listener's) the query waited for some
 * later query to connect afresh, and that connection's first words stayed
 * unwritten behind the dropped write until its connect timeout. Told of the
 * close with the error, postgres.js takes the connection for closed at once,
 * and connects afresh for the next query. (Over TLS postgres.js listens to
 * the TLS socket, which closes a little later, not with an error: postgres.js
 * fails what was asked meanwhile.)
 */
function destroyTelling(socket: Socket, error: Error): void {
  // Who opened it listens for its errors (postgres.js, or TLS on top, which passes them on); with nobody listening, an
  // emitted error would be thrown here.
  if (socket.listenerCount('error') > 0) socket.emit('error', error)
  socket.emit('close', true)
  socket.destroy()
}
