// @ts-check
/**
 * The reference server, @y/websocket-server as its own server.js sets it up
 * (documents in memory, nothing stored), for the comparison. Run by
 * server-process.ts; plain JavaScript, see server-probe.js.
 */
import { createServer } from 'node:http'
import { setupWSConnection } from '@y/websocket-server/utils'
import { WebSocketServer } from 'ws'
import { memoryOnceIdle, serveProbe } from './server-probe.js'

const http = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('okay'))
const wss = new WebSocketServer({ noServer: true })
wss.on('connection', setupWSConnection)
http.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)))
await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)))
const address = http.address()
if (address === null || typeof address === 'string') throw new Error('the reference server has no port')

serveProbe({
  wsBase: `ws://127.0.0.1:${address.port}`,
  dialect: 'y-websocket',
  token: null,
  startMemory: await memoryOnceIdle(),
  createBoards: async (count) => Array.from({ length: count }, () => crypto.randomUUID()),
  close: async () => {
    for (const socket of wss.clients) socket.terminate()
    await new Promise((resolve) => http.close(() => resolve(undefined)))
  },
})
