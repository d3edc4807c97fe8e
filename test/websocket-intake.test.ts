/**
 * What a client sends below its messages, against the real server over real
 * sockets: the bytes of a message still arriving, control frames, and
 * silence. ws holds a frame's bytes until its last one comes, and answers
 * pings and drops pongs by itself, handing the relay nothing of either, so
 * each bound here is one the relay's own (counted per whole message) cannot
 * give; and a connection that goes silent sends the relay nothing at all.
 */
import type WebSocket from 'ws'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { LIMITS, RELAY_LIMITS } from '../shared/limits.ts'
import { CLOSE, MESSAGE_AWARENESS } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { openAccess } from './helpers/open-access.ts'
import { frames, openRawSocket, refusedUpgrade, type RawSocket } from './helpers/raw-socket.ts'
import { startTcpProxy } from './helpers/tcp-proxy.ts'
import { clientFrame, OPCODE, openTcpWebsocket, type TcpWebsocket } from './helpers/tcp-websocket.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

/** Connections ask for the reviewer role with `?as=reviewer`. */
const roleFromQuery = () => openAccess((request) => (new URL(request.url).searchParams.get('as') === 'reviewer' ? 'reviewer' : 'editor'))

const servers: TestServer[] = []
const opened: { destroy(): void }[] = []

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.destroy()
  for (const server of servers.splice(0)) await server.destroy()
})

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer({ access: roleFromQuery, ...options })
  servers.push(server)
  return server
}

async function tcp(server: TestServer, path: string, withUpgrade?: Uint8Array): Promise<TcpWebsocket> {
  const socket = await openTcpWebsocket(`${server.wsUrl}/${path}`, { withUpgrade })
  opened.push(socket.socket)
  return socket
}

async function raw(server: TestServer, path: string): Promise<RawSocket> {
  const socket = await openRawSocket(`${server.wsUrl}/${path}`)
  opened.push({ destroy: () => socket.terminate() })
  return socket
}

function client(wsUrl: string, boardId: string): TestClient {
  const connected = connectClient(wsUrl, boardId)
  opened.push(connected)
  return connected
}

/** All of a binary frame of `payloadBytes` but its last byte: what the server must hold until the last byte comes. */
const allButTheLastByte = (payloadBytes: number, options: { final?: boolean } = {}) => {
  const frame = clientFrame(OPCODE.binary, new Uint8Array(payloadBytes), options)
  return frame.subarray(0, frame.length - 1)
}

/** A query for everyone's presence padded to `bytes`: harmless, answered with a presence frame, and as large as needed. */
function paddedQuery(bytes: number): Uint8Array {
  const padded = new Uint8Array(bytes)
  padded[0] = frames.queryAwareness()[0]!
  return padded
}

/** The code of the close the server sent, once the socket is gone (failing after waitFor's deadline). */
async function closeCode(socket: TcpWebsocket): Promise<number | null> {
  await waitFor(() => socket.isClosed(), 'the server to end the socket')
  return socket.closed
}

const answered = (socket: RawSocket) => socket.received.some((frame) => frame[0] === MESSAGE_AWARENESS)
const unfinishedBytes = (server: TestServer) => server.services.websocketIntake.unfinished.bytes
const MiB = 1024 * 1024

describe('messages still arriving', () => {
  it('a message larger than a reader needs is refused at its header, before its payload comes; one of the reader’s size, and a writer’s larger one, are answered', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Reader')
    const reader = await tcp(server, `${boardId}?as=reviewer`)
    reader.socket.write(clientFrame(OPCODE.binary, new Uint8Array(16), { payloadBytes: RELAY_LIMITS.readOnlyMessageBytes + 1 }))
    expect(await closeCode(reader)).toBe(CLOSE.messageTooBig.code)

    const [fullReader, writer] = [await raw(server, `${boardId}?as=reviewer`), await raw(server, boardId)]
    fullReader.send(paddedQuery(RELAY_LIMITS.readOnlyMessageBytes))
    writer.send(paddedQuery(4 * MiB))
    await waitFor(() => answered(fullReader) && answered(writer), 'both queries to be answered')
  })

  it('a frame sent with the upgrade request is counted: the server sees every byte ws reads', async () => {
    const server = await start()
    const boardId = await apiClient(server.url).createBoard('Pipelined')
    const reader = await tcp(server, `${boardId}?as=reviewer`, clientFrame(OPCODE.binary, new Uint8Array(16), { payloadBytes: 2 * MiB }))
    expect(await closeCode(reader)).toBe(CLOSE.messageTooBig.code)
  })

  it('a message that stops coming is ended once overdue for what came of it, fragments and all, and its bytes given back', async () => {
    const server = await start({ env: { WS_MESSAGE_TIMEOUT_MS: '200', WS_MESSAGE_MIN_BYTES_PER_SECOND: String(MiB) } })
    const boardId = await apiClient(server.url).createBoard('Stalled')
    const [single, fragmented] = [await tcp(server, boardId), await tcp(server, boardId)]
    single.socket.write(allButTheLastByte(MiB))
    // A first fragment whole, then all of the second but its last byte, with pongs between them as a client may send.
    fragmented.socket.write(clientFrame(OPCODE.binary, new Uint8Array(256 * 1024), { final: false }))
    fragmented.socket.write(clientFrame(OPCODE.pong, new Uint8Array()))
    const second = clientFrame(OPCODE.continuation, new Uint8Array(256 * 1024))
    fragmented.socket.write(second.subarray(0, second.length - 1))
    expect(await closeCode(single)).toBe(CLOSE.messageTooSlow.code)
    expect(await closeCode(fragmented)).toBe(CLOSE.messageTooSlow.code)
    await waitFor(() => unfinishedBytes(server) === 0, 'their bytes to be given back')
  })

  it('a person’s unfinished messages hold at most one largest message over all their sockets; another person’s are not affected; a closed socket gives its bytes back', async () => {
    const server = await start({ accounts: true, access: undefined })
    const [ana, bo] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
    const [anaToken, boToken] = [(await addToken(server, ana)).token, (await addToken(server, bo)).token]
    const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Per person')
    await addMember(server, boardId, bo, 'editor')
    const held = 9 * MiB - 1

    const anaFirst = await tcp(server, `${boardId}?token=${anaToken}`)
    anaFirst.socket.write(allButTheLastByte(9 * MiB))
    await waitFor(() => unfinishedBytes(server) === held, 'Ana’s first message to be held')
    // One byte past what a person's unfinished messages may hold, with its last byte: the refusal finds nothing unread.
    const anaSecond = await tcp(server, `${boardId}?token=${anaToken}`)
    anaSecond.socket.write(allButTheLastByte(LIMITS.maxMessageBytes - held + 2))
    expect(await closeCode(anaSecond)).toBe(CLOSE.rateLimited.code)
    expect(anaFirst.isClosed()).toBe(false)

    const boFirst = await tcp(server, `${boardId}?token=${boToken}`)
    boFirst.socket.write(allButTheLastByte(9 * MiB))
    await waitFor(() => unfinishedBytes(server) === 2 * held, 'Bo’s message to be held beside Ana’s')
    anaFirst.socket.destroy()
    await waitFor(() => unfinishedBytes(server) === held, 'Ana’s bytes to be given back as her socket closes')
    expect(boFirst.isClosed()).toBe(false)
  })

  it('past the instance’s budget of unfinished messages, the one begun longest ago goes first and the total stays under the cap', async () => {
    const cap = 2 * MiB
    const server = await start({ env: { WS_MAX_UNFINISHED_BYTES: String(cap) } })
    const boardId = await apiClient(server.url).createBoard('Total')
    const oldest = await tcp(server, boardId)
    oldest.socket.write(allButTheLastByte(1.5 * MiB))
    await waitFor(() => unfinishedBytes(server) === 1.5 * MiB - 1, 'the first message to be held')
    const newer = await tcp(server, boardId)
    newer.socket.write(allButTheLastByte(MiB))
    expect(await closeCode(oldest)).toBe(CLOSE.unfinishedOverload.code)
    await waitFor(() => unfinishedBytes(server) === MiB - 1, 'the newer message alone to be held')
    expect(newer.isClosed()).toBe(false)
  })
})

describe('control frames', () => {
  it('pongs nobody asked for, and pings, count against their sender’s frames a second: a flood of either closes it with the rate-limit code; a client answering the server’s pings is never refused', async () => {
    const server = await start({ env: { WS_MAX_MESSAGES_PER_SECOND: '5', WS_PING_INTERVAL_MS: '250' } })
    const boardId = await apiClient(server.url).createBoard('Control')
    const answering = client(server.wsUrl, boardId)
    const answeringCloses = closeCodes(answering)
    await answering.synced()
    const [pongs, pings] = [await tcp(server, boardId), await tcp(server, boardId)]
    // Each flood read at once: a socket ended with bytes unread is reset, and its close frame lost.
    // Fewer pings than ws's own cap on the pongs it has yet to send (60), which would end the socket without a code.
    const flood = (opcode: number, count: number) => Buffer.concat(Array.from({ length: count }, () => clientFrame(opcode, new Uint8Array(125))))
    pongs.socket.write(flood(OPCODE.pong, 50))
    pings.socket.write(flood(OPCODE.ping, 50))
    expect(await closeCode(pongs)).toBe(CLOSE.rateLimited.code)
    expect(await closeCode(pings)).toBe(CLOSE.rateLimited.code)

    let pinged = 0
    ;(answering.provider.ws as unknown as WebSocket).on('ping', () => pinged++)
    await waitFor(() => pinged >= 15, 'more pings answered than the frames a second allow in a burst (10)')
    expect(answeringCloses).toEqual([])
    expect(answering.provider.wsconnected).toBe(true)
  })
})

describe('the heartbeat', () => {
  it('connections whose network went silent are closed after a ping interval, their places, rooms and presence given back; a client that answers stays', async () => {
    const server = await start({ env: { WS_PING_INTERVAL_MS: '500', WS_MAX_CONNECTIONS: '3' } })
    const boardId = await apiClient(server.url).createBoard('Silent')
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port })
    onTestFinished(() => proxy.close())
    const live = client(server.wsUrl, boardId)
    const liveCloses = closeCodes(live)
    const ghosts = [client(`ws://127.0.0.1:${proxy.port}/ws`, boardId), client(`ws://127.0.0.1:${proxy.port}/ws`, boardId)]
    await Promise.all([live, ...ghosts].map((each) => each.synced()))
    for (const [index, each] of [live, ...ghosts].entries()) each.provider.awareness.setLocalStateField('tab', index)
    await waitFor(() => live.provider.awareness.getStates().size >= 3, 'the ghosts’ presence at the live client')
    const presence = live.provider.awareness.getStates().size

    proxy.strand()
    for (const ghost of ghosts) ghost.destroy()
    await waitFor(() => server.services.rooms.connectionCount === 1, 'the silent connections to be closed')
    expect(server.services.rooms.loadedRooms.get(boardId)?.connections.size).toBe(1)
    await waitFor(() => live.provider.awareness.getStates().size === presence - 2, 'the ghosts’ presence to go')
    expect((await refusedUpgrade(`${server.wsUrl}/${boardId}`)).status).toBe(101)

    // The live client answered every ping meanwhile, and goes on editing.
    expect(liveCloses).toEqual([])
    addAssessment(live.doc, { title: 'Still here' })
    const fresh = client(server.wsUrl, boardId)
    await waitFor(() => boardToModel(fresh.doc, boardId).assessments.some((assessment) => assessment.title === 'Still here'), 'the live client’s edit at a fresh client')
  })
})
