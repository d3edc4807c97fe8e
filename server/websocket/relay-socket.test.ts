import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { waitFor } from '../../test/helpers/wait-for.ts'
import { FRAMED_ONCE_BYTES, WebsocketRelaySocket } from './relay-socket.ts'

/** A client's TCP socket, after the server's 101: every byte the server wrote from then on. */
type Captured = { socket: Socket; bytes: () => Buffer }

const servers: Server[] = []
const sockets: Socket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** A ws server as the relay's (no extension offered), and its server side of one websocket opened to it by hand, with what that websocket's client receives. */
async function openPair(): Promise<{ websocket: WebSocket; tcp: Socket; client: Captured }> {
  const http = createServer()
  servers.push(http)
  const wss = new WebSocketServer({ server: http })
  const opened = new Promise<{ websocket: WebSocket; tcp: Socket }>((resolve) => wss.once('connection', (websocket, request) => resolve({ websocket, tcp: request.socket as Socket })))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const socket = connect((http.address() as AddressInfo).port, '127.0.0.1')
  sockets.push(socket)
  let received = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
  const key = randomBytes(16).toString('base64')
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
  const pair = await opened
  await waitFor(() => received.includes('\r\n\r\n'), 'the 101')
  const headerEnd = received.indexOf('\r\n\r\n') + 4
  return { ...pair, client: { socket, bytes: () => received.subarray(headerEnd) } }
}

/** Messages of every header size a relay frame has, framed once or handed to ws, with ws's own frames between them. */
const sizes = [0, 1, 125, 126, 1000, 65535 - 1, FRAMED_ONCE_BYTES, FRAMED_ONCE_BYTES + 1, 70_000].sort((a, b) => a - b)

function messages(): Uint8Array[] {
  return sizes.map((size, i) => Uint8Array.from({ length: size }, (_, j) => (i * 31 + j) % 251))
}

describe('WebsocketRelaySocket', () => {
  it('writes the same bytes as ws, in the same order as the frames ws writes itself', async () => {
    const reference = await openPair()
    const relayed = await openPair()
    const socket = new WebsocketRelaySocket(relayed.websocket, relayed.tcp)
    const sent = messages()
    for (const [i, message] of sent.entries()) {
      reference.websocket.send(message)
      socket.send(message)
      // The same message again: framed once, written as often as it is sent.
      reference.websocket.send(message)
      socket.send(message)
      if (i % 3 === 0) {
        reference.websocket.ping()
        relayed.websocket.ping()
      }
    }
    reference.websocket.close(4000, 'done')
    socket.close(4000, 'done')
    const header = (bytes: number) => (bytes > 0xffff ? 10 : bytes > 125 ? 4 : 2)
    const pings = Math.ceil(sent.length / 3)
    const closeFrame = 2 + 2 + 'done'.length
    const expected = sent.reduce((bytes, message) => bytes + 2 * (header(message.byteLength) + message.byteLength), 0) + 2 * pings + closeFrame
    await waitFor(() => reference.client.bytes().byteLength === expected && relayed.client.bytes().byteLength === expected, 'every frame at both clients')
    expect(relayed.client.bytes().equals(reference.client.bytes())).toBe(true)
  })

  it('reports what ws reports as queued, once the client stops reading', async () => {
    const relayed = await openPair()
    const socket = new WebsocketRelaySocket(relayed.websocket, relayed.tcp)
    relayed.client.socket.pause()
    const message = new Uint8Array(FRAMED_ONCE_BYTES)
    for (let i = 0; i < 1000 && socket.bufferedAmount === 0; i++) socket.send(message)
    expect(socket.bufferedAmount).toBeGreaterThan(0)
    expect(socket.bufferedAmount).toBe(relayed.websocket.bufferedAmount)
  })

  it('hands a frame for a socket that is no longer open to ws, which counts it as ever', async () => {
    const reference = await openPair()
    const relayed = await openPair()
    const socket = new WebsocketRelaySocket(relayed.websocket, relayed.tcp)
    reference.websocket.close(4000, 'closing')
    socket.close(4000, 'closing')
    const message = new Uint8Array(40)
    const before = socket.bufferedAmount
    reference.websocket.send(message)
    socket.send(message)
    expect(socket.bufferedAmount - before).toBe(message.byteLength)
    expect(socket.bufferedAmount).toBe(reference.websocket.bufferedAmount)
  })
})
