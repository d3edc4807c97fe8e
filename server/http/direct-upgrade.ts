/**
 * Websocket upgrades to `/ws/<boardId>` taken on the HTTP server's `upgrade`
 * event, straight to ws: without the `Request`, `Headers` and `URL` that
 * @hono/node-server builds for every upgrade, Hono's middleware chain, and the
 * `Event`s of its websocket wrapper, which together cost a connecting client
 * some 200 µs of the server's CPU (BENCHMARKS.md, "The many-boards row").
 *
 * Only a request in the one form every client sends is taken here: GET, a
 * lowercase host of letters, digits, dots and dashes with at most a port, and
 * a path of `/ws/` and a board id of letters, digits and dashes, then at most
 * a query. Its answer is the Hono route's (websocket-route.ts), decided by
 * the same code (upgrade-decision.ts), in the same bytes (a refusal is a status line, Connection: close,
 * no body, its content type and any Retry-After), counted in the same metric.
 * An upgrade to anything but a websocket is refused 400, as is one whose Host
 * the URL parser cannot read (as a request with it is). Every other form,
 * and every upgrade while the server cannot serve (shutting
 * down, its database not answering: availability-guard.ts's 503s), goes to
 * Hono's own listener, which routes and answers it as any other request:
 * escapes, dot segments, odd hosts and methods are worked out there, once.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { Context } from 'hono'
import type { WebSocket, WebSocketServer } from 'ws'
import type { CredentialRequest } from '../access/access.ts'
import type { Services } from '../services.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { CLOSE, WEBSOCKET_PATH } from '../../shared/protocol.ts'
import { BoardDamaged } from '../relay/damaged-board.ts'
import { handleError } from './errors.ts'
import type { UpgradeListener } from './lazy-hono-server.ts'
import { decideUpgrade, type UpgradeRefusal } from './upgrade-decision.ts'
import { UpgradeJoin } from './upgrade-join.ts'

/** The route as Hono's metrics name it (count-requests.ts): one series for both ways in. */
const ROUTE = `${WEBSOCKET_PATH}/:boardId`
const CANONICAL_TARGET = new RegExp(`^${WEBSOCKET_PATH}/([A-Za-z0-9-]+)(?:\\?[^#\\\\]*)?$`)
/** @hono/node-server's own test for a host it takes as it is (its `reValidHost`); it parses any other. */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/
const HOST_AND_PORT = /^([a-z0-9._-]+)(?::\d{1,5})?$/
const TEXT_PLAIN = 'text/plain; charset=UTF-8'

/** Takes the server's `upgrade` event; `hono` (lazy-hono-server.ts) gets every upgrade not taken here. */
export function takeWebsocketUpgrades(server: Server, wss: WebSocketServer, services: Services, hono: UpgradeListener): void {
  if (server.listenerCount('upgrade') > 0) throw new Error('expected a server with no upgrade listener yet')
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node hands over any `Connection: upgrade` with an `Upgrade` header; Hono's listener leaves one that is not to a websocket unanswered and open.
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
      // Node no longer listens to the socket for errors: a peer's reset must not reach the process.
      socket.on('error', () => {})
      refuse(socket, 400, [['content-type', TEXT_PLAIN]])
      return
    }
    if (unreadableHost(request)) {
      socket.on('error', () => {})
      refuse(socket, 400, [['content-type', TEXT_PLAIN]])
      return
    }
    const boardId = canonicalBoardId(request)
    const { lifecycle, storageHealth } = services
    if (boardId === null || lifecycle.shuttingDown || storageHealth.unavailableSince !== null) hono(request, socket, head)
    else {
      upgrade(services, wss, request, socket, head, boardId).catch((error: unknown) => {
        // Contained to this connection: an escaped rejection would end the process.
        services.logger.error({ boardId, err: errorMessage(error) }, 'websocket upgrade failed; closing its connection')
        socket.destroy()
      })
    }
  })
}

function canonicalBoardId(request: IncomingMessage): string | null {
  if (request.method !== 'GET') return null
  const host = request.headers.host
  if (host === undefined || !isPlainHost(host)) return null
  return CANONICAL_TARGET.exec(request.url ?? '')?.[1] ?? null
}

/**
 * A Host the URL parser cannot read (`[::1`, `a:99999`) under a path-only
 * target: @hono/node-server answers a request with one 400, but an upgrade
 * 500, unlogged (the parser's TypeError is not its RequestError). Answered
 * 400 here, as the request is.
 */
function unreadableHost(request: IncomingMessage): boolean {
  const host = request.headers.host
  if (host === undefined || PLAIN_HOST.test(host) || !request.url?.startsWith('/')) return false
  try {
    new URL(`http://${host}`)
    return false
  } catch {
    return true
  }
}

/**
 * A host @hono/node-server takes: one of its plain hosts, or (a port of 60000
 * and above, or below 1000) one whose name the URL parser keeps as it is,
 * which it checks the same way (its `buildUrl`).
 */
function isPlainHost(host: string): boolean {
  if (PLAIN_HOST.test(host)) return true
  const name = HOST_AND_PORT.exec(host)?.[1]
  if (name === undefined) return false
  try {
    return new URL(`http://${host}`).hostname === name
  } catch {
    return false
  }
}

async function upgrade(services: Services, wss: WebSocketServer, request: IncomingMessage, socket: Socket, head: Buffer, boardId: string): Promise<void> {
  // A peer's reset while the upgrade is decided is no error of the server's; ws listens for its own once it has the socket.
  const ignoreSocketError = () => {}
  socket.on('error', ignoreSocketError)
  const credentials = credentialsOf(request, socket)
  let decided: Awaited<ReturnType<typeof decideUpgrade>>
  try {
    decided = await decideUpgrade(services, credentials, boardId)
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error))
    const answer = handleError(failure, errorContext(services, credentials))
    // A refused upgrade the stock client retries for ever, and the page cannot say why; a damaged board fails every
    // join alike, so its socket is taken and closed at once with a final code the page shows.
    if (failure instanceof BoardDamaged) {
      count(services, 101)
      closeOnOpen(wss, request, socket, head, CLOSE.boardDamaged)
      return
    }
    count(services, answer.status)
    refuse(socket, answer.status, answer.headers)
    return
  }
  if ('status' in decided) {
    count(services, decided.status)
    refuse(socket, decided.status, refusalHeaders(decided))
    return
  }
  count(services, 101)
  const joined = new UpgradeJoin(services, decided, socket)
  joined.watchHandshake()
  if (socket.destroyed) return
  // ws writes the 101 and the room its first frames (our step 1, everyone's presence) within this call: corked,
  // they leave in one write rather than one each, which on a connecting client cost a system call and a
  // delivery to the peer apiece (BENCHMARKS.md, "The many-boards row: a burst of connections, and fewer writes").
  socket.cork()
  try {
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      socket.off('error', ignoreSocketError)
      ws.on('error', ignoreSocketError)
      ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? joined.receive(new Uint8Array(data)) : joined.receiveText()))
      ws.on('close', () => joined.close())
      joined.open(ws)
    })
  } finally {
    socket.uncork()
  }
}

/** Takes the upgrade and closes the socket with `close` as soon as it opens. */
function closeOnOpen(wss: WebSocketServer, request: IncomingMessage, socket: Socket, head: Buffer, close: { code: number; reason: string }): void {
  wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
    // A peer's reset as it closes is no error of the server's.
    ws.on('error', () => {})
    ws.close(close.code, close.reason)
  })
}

/** The upgrade's credentials as `access` reads them, from Node's parsed headers, as @hono/node-server's `Request` would hold them. */
function credentialsOf(request: IncomingMessage, socket: Socket): CredentialRequest {
  const scheme = (socket as Socket & { encrypted?: boolean }).encrypted ? 'https' : 'http'
  let url: string | undefined
  const get = (name: string): string | null => {
    const value = request.headers[name.toLowerCase()]
    if (!value) return null
    return Array.isArray(value) ? (value[0] ?? null) : value
  }
  return {
    get url() {
      url ??= new URL(`${scheme}://${request.headers.host}${request.url}`).href
      return url
    },
    headers: { get, has: (name) => get(name) !== null },
  }
}

/** What Hono's `c.text(message, status, headers)` answered with. */
function refusalHeaders(refusal: UpgradeRefusal): [string, string][] {
  return refusal.retryAfterSeconds === undefined
    ? [['content-type', TEXT_PLAIN]]
    : [
        ['content-type', TEXT_PLAIN],
        ['retry-after', refusal.retryAfterSeconds],
      ]
}

/** A failure answered by the app's error handler as the Hono route's would be: its status, headers and logging. */
function errorContext(services: Services, credentials: CredentialRequest): Context {
  const headers = new Headers()
  for (const name of ['authorization', 'cookie', 'origin', 'referer', 'host']) {
    const value = credentials.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  const c = new Context(new Request(credentials.url, { headers }))
  c.set('services', services)
  c.set('logger', services.logger)
  return c
}

function count(services: Services, status: number): void {
  services.metrics?.countRequest('GET', ROUTE, status)
}

/** Headers an upgrade's refusal never repeats from its answer (@hono/node-server's list): the status line and Connection: close say it all. */
const SKIPPED_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
])

/** The refusal as @hono/node-server writes one (its `rejectUpgradeRequest`): no body, the connection closed after it. */
function refuse(socket: Socket, status: number, headers: Iterable<[string, string]>): void {
  if (socket.destroyed) return
  const lines = ['Connection: close', 'Content-Length: 0']
  for (const [name, value] of headers) if (!SKIPPED_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${value}`)
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n`)
}
