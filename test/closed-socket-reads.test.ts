/**
 * A websocket the server has closed costs nothing more, against the real
 * server over real sockets. ws would read on until the client's own close
 * frame came, for up to half a minute, handing every frame it read to a
 * connection already given up, which counts none of them: a reviewer's
 * socket flooding after a close slowed every board (red team 27). Here a
 * client keeps sending after the close, as fast as the socket takes its
 * bytes: the server reads no more of them, so the flood gets no further than
 * what the network's buffers hold before the server ends the connection,
 * while a client that reads on is fed as fast as the server can parse.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE, MESSAGE_QUERY_AWARENESS } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { openRawSocket } from './helpers/raw-socket.ts'
import { clientFrame, OPCODE, openTcpWebsocket, type TcpWebsocket } from './helpers/tcp-websocket.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const MiB = 1024 * 1024
/**
 * Far more than the network holds for a socket nobody reads (the kernel's
 * buffers at both ends: here at most 4 MiB to send and 32 MiB to receive),
 * and far less than a server reading on takes in a moment.
 */
const FLOOD_LIMIT_BYTES = 256 * MiB
/** Past ws's close timeout with the fix (5 s), short of its default without it (30 s). */
const SERVER_ENDS_WITHIN_MS = 20_000

/** A server of the test's own, stopped (its sockets with it) once the test is done. */
async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options)
  onTestFinished(() => server.destroy())
  return server
}

/** A socket whose client goes on sending once the server has ended its side, as a flood would. */
async function hostile(server: TestServer, boardId: string): Promise<TcpWebsocket> {
  const socket = await openTcpWebsocket(`${server.wsUrl}/${boardId}`, { sendsAfterEnd: true })
  onTestFinished(() => void socket.socket.destroy())
  return socket
}

function client(server: TestServer, boardId: string): TestClient {
  const connected = connectClient(server.wsUrl, boardId)
  onTestFinished(() => connected.destroy())
  return connected
}

/** A query for everyone's presence padded to a KiB: harmless on an open connection, and many bytes a frame. */
const paddedQuery = (): Buffer => {
  const payload = new Uint8Array(1024)
  payload[0] = MESSAGE_QUERY_AWARENESS
  return clientFrame(OPCODE.binary, payload)
}

/**
 * Writes `frame` over and over, as fast as the socket takes it, until the
 * server has ended the connection or FLOOD_LIMIT_BYTES have been taken;
 * returns how many were.
 */
async function flood(socket: TcpWebsocket, frame: Buffer): Promise<number> {
  const batch = Buffer.concat(Array.from({ length: 64 }, () => frame))
  let taken = 0
  while (!socket.isClosed() && taken < FLOOD_LIMIT_BYTES) {
    taken += batch.length
    if (socket.socket.write(batch)) continue
    let drained = false
    socket.socket.once('drain', () => (drained = true))
    await waitFor(() => drained || socket.isClosed(), 'the server to read on, or to end the connection', SERVER_ENDS_WITHIN_MS)
  }
  return taken
}

/** An edit at one stock client arrives at another: the server serves its other clients. */
async function editsSync(server: TestServer, boardId: string, title: string): Promise<void> {
  const [editing, watching] = [client(server, boardId), client(server, boardId)]
  await Promise.all([editing.synced(), watching.synced()])
  addAssessment(editing.doc, { title })
  await waitFor(() => boardToModel(watching.doc, boardId).assessments.some((assessment) => assessment.title === title), `“${title}” at the other client`)
}

describe('a socket the server has closed', () => {
  it('closed for a malformed message (4400), it is read no more: a flood after the close is not taken in, the connection ends, and other clients’ edits sync', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Closing flood')
    const flooder = await hostile(server, boardId)
    flooder.socket.write(clientFrame(OPCODE.binary, Uint8Array.of(7)))
    await waitFor(() => flooder.closeCode() !== null, 'the close frame')
    expect(flooder.closeCode()).toBe(CLOSE.malformedMessage.code)

    const taken = await flood(flooder, paddedQuery())
    expect(flooder.isClosed()).toBe(true)
    expect(taken).toBeLessThan(FLOOD_LIMIT_BYTES)
    await editsSync(server, boardId, 'Served all along')
  })

  it('closed for sending too fast (4029), what was queued behind the close and what follows it are not taken in', async () => {
    const server = await start({ env: { WS_MAX_MESSAGES_PER_SECOND: '5' } })
    const boardId = await apiClient(server.url).createBoard('Rate flood')
    const flooder = await hostile(server, boardId)
    const taken = await flood(flooder, paddedQuery())
    expect(flooder.closeCode()).toBe(CLOSE.rateLimited.code)
    expect(flooder.isClosed()).toBe(true)
    expect(taken).toBeLessThan(FLOOD_LIMIT_BYTES)
    await editsSync(server, boardId, 'Served after the flood')
  })

  it('closed by ws for breaking the protocol (an unmasked frame), it is ended at once, its flood not read', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Protocol flood')
    const flooder = await hostile(server, boardId)
    const unmasked = Buffer.from([0x82, 0x01, MESSAGE_QUERY_AWARENESS])
    const taken = await flood(flooder, Buffer.concat([unmasked, paddedQuery()]))
    expect(flooder.isClosed()).toBe(true)
    expect(taken).toBeLessThan(FLOOD_LIMIT_BYTES)
  })

  it('a client that obeys the close gets its code', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Obeying')
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}`)
    onTestFinished(() => socket.terminate())
    socket.send(Uint8Array.of(7))
    expect((await socket.closed).code).toBe(CLOSE.malformedMessage.code)
  })
})
