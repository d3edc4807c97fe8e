/**
 * The y-websocket endpoint, `/ws/<boardId>`. Rights are decided at the HTTP
 * upgrade: a refused upgrade gets its 401/403/404 before any socket exists,
 * because the stock client reconnects every 100 ms to a socket that is accepted
 * and then closed. The board is loaded before the upgrade is accepted.
 */
import { upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import type { WebSocket } from 'ws'
import { CLOSE } from '../../shared/protocol.ts'
import { isSameOrigin } from '../auth/same-origin.ts'
import type { Connection, RelaySocket, Role } from '../relay/connection.ts'
import type { AppEnv } from './app-env.ts'

type UpgradeEnv = AppEnv & { Variables: { role: Role } }

export function websocketRoute(): Hono<UpgradeEnv> {
  const route = new Hono<UpgradeEnv>()
  route.get(
    '/:boardId',
    async function authorizeUpgrade(c, next) {
      const { access, storage } = c.var.services
      const boardId = c.req.param('boardId')
      const principal = await access.principal(c.req.raw, { allowQueryToken: true })
      if (!principal) return c.text('Unauthorized', 401)
      // Browsers send cookies on cross-site websocket upgrades too: a cookie counts only from our own pages.
      if (principal.via === 'session' && !isSameOrigin(c.req.raw, c.var.services.config.PUBLIC_URL)) return c.text('Forbidden', 403)
      if (!(await storage.boards.get(boardId))) return c.text('Not Found', 404)
      const role = await access.authorize(principal, boardId)
      if (role === null) return c.text('Forbidden', 403)
      c.set('principal', principal)
      c.set('role', role)
      return next()
    },
    upgradeWebSocket(async (c) => {
      const { rooms, logger } = c.var.services
      const boardId = c.req.param('boardId')
      const held = await rooms.acquire(boardId)
      if (!held) throw new Error(`board ${boardId} vanished during the upgrade`)
      const { room, release } = held
      const principal = c.var.principal
      let connection: Connection | undefined
      return {
        onOpen(_event, ws) {
          const raw = ws.raw as WebSocket
          const socket: RelaySocket = {
            send: (data) => raw.send(data),
            close: (code, reason) => raw.close(code, reason),
            get bufferedAmount() {
              return raw.bufferedAmount
            },
          }
          connection = room.connect(socket, c.var.role, { userId: principal.userId, tokenId: principal.tokenId, name: principal.name })
          release()
        },
        onMessage(event) {
          if (!connection) return
          if (event.data instanceof ArrayBuffer) room.receive(connection, new Uint8Array(event.data))
          else {
            logger.warn({ boardId, connection: connection.id }, 'closing connection: text frame')
            connection.close(CLOSE.malformedMessage)
            room.disconnect(connection)
          }
        },
        onClose() {
          if (connection) room.disconnect(connection)
          else release()
        },
      }
    }),
  )
  return route
}
