/**
 * A close event a websocket cannot carry (a code outside what it may send, a
 * reason over 123 bytes) must still end the connection: one marked closed but
 * left open is neither served nor heard until its client gives up. From
 * another instance, through Redis, such an event is not even taken: a control
 * message is checked first, and one naming no close event of
 * shared/protocol.ts is dropped.
 */
import { Redis } from 'ioredis'
import * as encoding from 'lib0/encoding'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { apiClient } from '../helpers/api.ts'
import { startOwnRedis, type OwnRedis } from '../helpers/own-redis.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, closeCodes, type TestClient } from '../helpers/yjs-client.ts'

const redisServerMissing = await missingServices('redis-server')

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined
let redis: OwnRedis | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
  await redis?.stop()
  redis = undefined
})

/** Two clients of one board, synced; after a close, they reconnect (every code used here is below the final 4400s). */
async function twoClients(running: TestServer): Promise<{ boardId: string; a: TestClient; b: TestClient }> {
  const boardId = await apiClient(running.url).createBoard('Closed badly')
  const a = connect(running.wsUrl, boardId)
  const b = connect(running.wsUrl, boardId)
  await Promise.all([a.synced(), b.synced()])
  return { boardId, a, b }
}

async function stillRelaying({ boardId, a, b }: { boardId: string; a: TestClient; b: TestClient }): Promise<void> {
  await waitFor(() => a.provider.wsconnected && b.provider.synced, 'both clients to be connected and synced')
  addAssessment(a.doc, { title: 'After the close' })
  await waitFor(() => boardToModel(b.doc, boardId).assessments.length === 1, 'the edit at the other client')
}

it('ends every connection it picks, though the socket refuses the close event', async () => {
  const running = (server = await startTestServer())
  const clients = await twoClients(running)
  const room = running.services.rooms.loadedRooms.get(clients.boardId)!
  const [codesOfA, codesOfB] = [closeCodes(clients.a), closeCodes(clients.b)]

  expect(running.services.rooms.closeConnections({ boardId: clients.boardId }, { code: 999, reason: 'not a code a socket may send' })).toBe(2)
  expect(room.connections.size).toBe(0)
  // Ended without a close frame (1006 at the client), and back.
  await waitFor(() => codesOfA.length === 1 && codesOfB.length === 1, 'both sockets to end')
  await stillRelaying(clients)
})

describeUnless(redisServerMissing)('control messages from other instances', () => {
  /** A control message as another instance publishes it (server/relay/redis-fan-out.ts): its id, kind 2, then the JSON. */
  const controlMessage = (boardId: string, event: CloseEvent) => {
    const encoder = encoding.createEncoder()
    encoding.writeVarString(encoder, 'another-instance')
    encoding.writeVarUint(encoder, 2)
    encoding.writeVarUint8Array(encoder, new TextEncoder().encode(JSON.stringify({ type: 'close-connections', selector: { boardId }, event })))
    return Buffer.from(encoding.toUint8Array(encoder))
  }

  it('drops one whose close event the server does not use, and keeps serving the sockets it names', async () => {
    redis = await startOwnRedis()
    const running = (server = await startTestServer({ env: { REDIS_URL: redis.url } }))
    const clients = await twoClients(running)
    const [codesOfA, codesOfB] = [closeCodes(clients.a), closeCodes(clients.b)]
    const publisher = new Redis(redis.url)
    try {
      await publisher.publish(running.services.redis!.controlChannel, controlMessage(clients.boardId, { code: 999, reason: 'bad code' }))
      await publisher.publish(running.services.redis!.controlChannel, controlMessage(clients.boardId, { code: CLOSE.accessChanged.code, reason: 'x'.repeat(200) }))
      // Handled in order: once this one has closed both sockets, the two before it have been handled too.
      await publisher.publish(running.services.redis!.controlChannel, controlMessage(clients.boardId, CLOSE.accessChanged))
    } finally {
      publisher.disconnect()
    }
    await waitFor(() => codesOfA.length > 0 && codesOfB.length > 0, 'the valid control message to close both sockets')
    expect([codesOfA, codesOfB]).toEqual([[CLOSE.accessChanged.code], [CLOSE.accessChanged.code]])
    await stillRelaying(clients)
  })
})
