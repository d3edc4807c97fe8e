/**
 * The y-websocket endpoint, `/ws/<boardId>`, as a Hono route: for the
 * upgrades that the server's own listener (direct-upgrade.ts) leaves to Hono,
 * those in any other form than the one clients send. Both decide with
 * upgrade-decision.ts and join with upgrade-join.ts.
 */
import type { HttpBindings, WebSocketLike } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import type { WSEvents } from 'hono/ws'
import type { WebSocket } from 'ws'
import type { SignedInEnv } from './app-env.ts'
import { loadNodeAdaptor } from './node-adaptor.ts'
import { decideUpgrade, type UpgradeDecision } from './upgrade-decision.ts'
import { UpgradeJoin } from './upgrade-join.ts'

type UpgradeEnv = SignedInEnv & { Bindings: HttpBindings; Variables: { decision: UpgradeDecision } }

export function websocketRoute(): Hono<UpgradeEnv> {
  const route = new Hono<UpgradeEnv>()
  route.get(
    '/:boardId',
    async function authorizeUpgrade(c, next) {
      // A plain request is no handshake: refused before its rights are read, it holds no connection of its person's and loads no board.
      if (!isWebsocketUpgrade(c.req.raw)) return c.text('Upgrade Required', 426, { Upgrade: 'websocket' })
      const decided = await decideUpgrade(c.var.services, c.req.raw, c.req.param('boardId'))
      if ('status' in decided) return c.text(decided.message, decided.status, decided.retryAfterSeconds === undefined ? undefined : { 'Retry-After': decided.retryAfterSeconds })
      c.set('principal', decided.principal)
      c.set('decision', decided)
      return next()
    },
    async function upgradeToWebsocket(c, next) {
      // Loaded already when a request reaches here through the server (lazy-hono-server.ts); node-adaptor.ts says why it is loaded late.
      const { upgradeWebSocket } = await loadNodeAdaptor()
      return upgradeWebSocket(joinOnOpen)(c, next)
    },
  )
  return route
}

function joinOnOpen(c: Context<UpgradeEnv>): WSEvents<WebSocketLike> {
  const joined = new UpgradeJoin(c.var.services, c.var.decision, c.env.incoming.socket)
  joined.watchHandshake()
  return {
    onOpen: (_event, ws) => joined.open(ws.raw as WebSocket),
    onMessage(event) {
      if (event.data instanceof ArrayBuffer) joined.receive(new Uint8Array(event.data))
      else joined.receiveText()
    },
    onClose: () => joined.close(),
  }
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
