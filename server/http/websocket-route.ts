/**
 * The y-websocket endpoint, `/ws/<boardId>`. Rights and limits are decided at
 * the HTTP upgrade: a refused upgrade gets its 401/403/404 (or 429/503 over a
 * connection limit) before any socket exists, because the stock client
 * reconnects every 100 ms to a socket that is accepted and then closed, but
 * backs off from a refused upgrade. The board is loaded before the upgrade is
 * accepted.
 */
import { upgradeWebSocket, type HttpBindings } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import type { WebSocket } from 'ws'
import { CLOSE, UPGRADE_REFUSED } from '../../shared/protocol.ts'
import { isSameOrigin } from '../auth/same-origin.ts'
import type { Admission } from '../relay/connection-limits.ts'
import type { Connection, ConnectionGrant, ConnectionIdentity } from '../relay/connection.ts'
import type { JoinInFlight } from '../relay/joins-in-flight.ts'
import { LoadingTooMuch, type HeldRoom } from '../relay/room-registry.ts'
import { WebsocketRelaySocket } from '../websocket/relay-socket.ts'
import type { SocketIntake } from '../websocket/socket-intake.ts'
import type { SignedInEnv } from './app-env.ts'
import { errorMessage } from '../../shared/error-message.ts'

type UpgradeEnv = SignedInEnv & { Bindings: HttpBindings; Variables: { identity: ConnectionIdentity; grant: ConnectionGrant; admission: Admission; held: HeldRoom; join: JoinInFlight } }

/** How long a client refused over a connection limit is asked to wait. */
const RETRY_AFTER_SECONDS = '5'

export function websocketRoute(): Hono<UpgradeEnv> {
  const route = new Hono<UpgradeEnv>()
  route.get(
    '/:boardId',
    async function authorizeUpgrade(c, next) {
      const boardId = c.req.param('boardId')
      // Begun before the first read of rights: a change of them from here on closes this socket as it opens.
      const join = c.var.services.rooms.beginJoin(boardId)
      try {
        const refusal = await decideUpgrade(c, boardId, join)
        if (refusal) {
          join.end()
          return refusal
        }
      } catch (error) {
        join.end()
        throw error
      }
      return next()
    },
    upgradeWebSocket((c: Context<UpgradeEnv>) => {
      const { logger, websocketIntake } = c.var.services
      const boardId = c.req.param('boardId')
      // The handlers below live as long as the socket: they hold what they need, never the request's context.
      const { identity, grant, admission, held, join } = c.var
      const { room, release } = held
      // The TCP socket ws reads and writes: its intake reads the same bytes as they come (server/websocket/websocket-intake.ts), and the relay writes its frames to it (relay-socket.ts).
      const tcp = c.env.incoming.socket
      let connection: Connection | undefined
      let intake: SocketIntake | undefined
      return {
        onOpen(_event, ws) {
          const raw = ws.raw as WebSocket
          const revoked = join.revoked
          if (revoked) {
            // Its rights changed after they were read: it reconnects and is decided again (or, for a deleted board, stops).
            admission.release()
            release()
            raw.close(revoked.code, revoked.reason)
            return
          }
          try {
            connection = room.connect(new WebsocketRelaySocket(raw, tcp), grant, identity, admission)
          } catch (error) {
            logger.error({ boardId, err: errorMessage(error) }, 'could not join the board; closing the socket')
            admission.release()
            raw.close(CLOSE.internalError.code, CLOSE.internalError.reason)
          } finally {
            release()
          }
          const joined = connection
          if (joined) intake = websocketIntake.watch(tcp, raw, { personId: identity.userId, canWrite: joined.canWrite, rates: admission.rates, end: (event) => joined.abort(event) })
        },
        onMessage(event) {
          if (!connection) return
          if (event.data instanceof ArrayBuffer) room.receive(connection, new Uint8Array(event.data))
          else connection.close(CLOSE.malformedMessage, new Error('text frame'))
        },
        onClose() {
          intake?.close()
          if (connection) room.disconnect(connection)
          else {
            admission.release()
            release()
          }
        },
      }
    }),
  )
  return route
}

/**
 * A websocket handshake as Node reads one, `Upgrade: websocket` with an
 * `upgrade` token in `Connection` (compared without regard to case, as RFC
 * 6455 asks): such a request takes the upgrade path, whose answer is a 101 or
 * a refusal without a body. With the `Upgrade` header alone it is an ordinary
 * request, and may be answered with a page.
 */
export function isWebsocketUpgrade(request: Request): boolean {
  return request.headers.get('upgrade')?.toLowerCase() === 'websocket' && UPGRADE_TOKEN.test(request.headers.get('connection') ?? '')
}

const UPGRADE_TOKEN = /(?:^|,)\s*upgrade\s*(?:,|$)/i

/** Decides the upgrade: a refusal to answer, or nothing once the context holds what the socket needs to join. */
async function decideUpgrade(c: Context<UpgradeEnv>, boardId: string, join: JoinInFlight): Promise<Response | undefined> {
  const { access, storage, rooms } = c.var.services
  const principal = await access.principal(c.req.raw, { allowQueryToken: true })
  if (!principal) return c.text('Unauthorized', 401)
  const identity: ConnectionIdentity = { userId: principal.userId, tokenId: principal.tokenId, sessionId: principal.sessionId ?? null, name: principal.name }
  join.identify(identity)
  // Browsers send cookies on cross-site websocket upgrades too: a cookie counts only from our own pages.
  if (principal.via === 'session' && !isSameOrigin(c.req.raw, c.var.services.config.PUBLIC_URL)) return c.text('Forbidden', 403)
  const board = await storage.boards.get(boardId)
  if (!board) return c.text('Not Found', 404)
  const role = await access.authorize(principal, boardId)
  if (role === null) return c.text('Forbidden', 403)
  const admission = rooms.admit(principal.userId)
  if (typeof admission === 'string') {
    const refused = UPGRADE_REFUSED[admission]
    c.var.logger.warn({ boardId, user: principal.userId, status: refused.status }, 'websocket upgrade refused over a connection limit')
    return c.text(refused.message, refused.status, { 'Retry-After': RETRY_AFTER_SECONDS })
  }
  // Loaded with the record just read; held until the socket opens (or for a while, should it never).
  let held: HeldRoom | null
  try {
    held = await rooms.acquire(boardId, board, join, admission.rates)
  } catch (error) {
    admission.release()
    if (!(error instanceof LoadingTooMuch)) throw error
    c.var.logger.warn({ boardId, user: principal.userId }, 'websocket upgrade refused: its person has loaded as many boards as they may this minute')
    return c.text(UPGRADE_REFUSED.loadingTooMuch.message, UPGRADE_REFUSED.loadingTooMuch.status, { 'Retry-After': RETRY_AFTER_SECONDS })
  }
  if (!held) {
    admission.release()
    return c.text('Not Found', 404)
  }
  c.set('principal', principal)
  c.set('identity', identity)
  // An archived board is read-only for every role; archiving and restoring close its sockets, so this is decided again.
  c.set('grant', { role, archived: board.archivedAt !== null })
  c.set('admission', admission)
  c.set('held', held)
  c.set('join', join)
  return undefined
}
