/**
 * Redis goes away under a running server, through a TCP proxy of the test's
 * own: /readyz stays ready, reporting Redis degraded, while it is away, and
 * Redis fine again within seconds of its return (reconnects back off to at
 * most 2 s); the board catches up
 * from the update log once the subscription is back. Boards are opened and
 * edited meanwhile, those not loaded yet too.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { redisBack, redisLost } from '../helpers/redis-status.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'
import { METRICS_TOKEN } from '../helpers/prometheus-text.ts'

const redisMissing = await missingServices('redis')

/** How long the server may take to be ready again once Redis is back: a bound, not a measurement. */
const RECOVERY_MS = 15_000
/** How long a shutdown may take while Redis is away: a bound, not a measurement. */
const SHUTDOWN_MS = 10_000

type Readiness = { ready: boolean; degraded: boolean; storage: { status: string }; redis?: { status: string } }

describeUnless(redisMissing)('Redis lost and back', () => {
  let proxy: TcpProxy
  let server: TestServer
  let api: ApiClient
  const connect = clientsDestroyedAfterEach()

  beforeEach(async () => {
    const target = new URL(REDIS_URL)
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) })
    target.port = String(proxy.port)
    // Boards unload as soon as nobody holds them, so that a board just created is not loaded when its first client comes.
    // A shutdown deadline far past the test's, so that a shutdown held up until it would show.
    server = await startTestServer({ env: { REDIS_URL: target.toString(), READINESS_TIMEOUT_MS: '500', METRICS_TOKEN, ROOM_IDLE_MS: '0', SHUTDOWN_TIMEOUT_MS: '600000' } })
    api = apiClient(() => server.url)
  })

  afterEach(async () => {
    proxy.restore()
    await server.destroy()
    await proxy.close()
  })

  const catchUps = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
    return Number(/^assay_redis_catch_ups_total (\d+)$/m.exec(text)?.[1])
  }

  it('keeps the instance ready while Redis is away, reporting Redis degraded, and Redis fine again once it is back', async () => {
    const boardId = await api.createBoard('Redis')
    const client = connect(server.wsUrl, boardId)
    await client.synced()
    // The server serves before its Redis connections are up: on a loaded machine they may still be connecting.
    await redisBack(server.url)
    expect((await api.get<Readiness>('/readyz')).body).toMatchObject({ ready: true, degraded: false, storage: { status: 'ok' }, redis: { status: 'ok' } })
    await waitFor(async () => (await catchUps()) >= 1, 'the catch-up that follows the subscription')
    const caughtUpBefore = await catchUps()

    proxy.cut()
    await redisLost(server.url)
    const away = await api.get<Readiness>('/readyz')
    expect(away.status).toBe(200)
    expect(away.body).toMatchObject({ ready: true, degraded: true })
    expect(['unreachable', 'timeout']).toContain(away.body.redis?.status)
    expect(away.body.storage.status).toBe('ok')
    expect((await api.get('/healthz')).status).toBe(200)

    proxy.restore()
    await redisBack(server.url, RECOVERY_MS)
    // Messages published meanwhile may be lost: the board catches up from the update log.
    await waitFor(async () => (await catchUps()) > caughtUpBefore, 'a catch-up after the reconnection')
  })

  it('holds nothing for Redis while every connection to it is accepted and dropped, and on its return sends each connection’s name once', async () => {
    await redisBack(server.url)
    // As a proxy or load balancer does in front of a Redis that is down: each attempt connects, and is dropped at once.
    proxy.cut()
    await waitFor(() => proxy.refused >= 20, 'twenty attempts to reconnect, each accepted and dropped', RECOVERY_MS)
    const clientCommands = proxy.countRequests(/\r\nclient\r\n/gi)
    proxy.restore()
    await redisBack(server.url, RECOVERY_MS)
    // One CLIENT SETNAME for each of the instance's three connections (publisher, subscriber, counts), and nothing held from the attempts.
    await waitFor(() => clientCommands() >= 2, 'the handshakes of the two fan-out connections')
    expect(clientCommands()).toBeLessThanOrEqual(3)
  })

  it('opens a board not loaded yet while Redis is away, and commits its edits', async () => {
    const boardId = await api.createBoard('Opened during the outage')
    expect(server.services.rooms.loadedRooms.has(boardId)).toBe(false)
    proxy.cut()
    await redisLost(server.url)

    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    addAssessment(writer.doc, { title: 'Written while Redis is away' })
    await waitFor(async () => (await api.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)).body.assessments.length === 1, 'the edit to be committed')

    proxy.restore()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId).assessments.map((card) => card.title)).toEqual(['Written while Redis is away'])
  })

  it.each([
    ['away', () => proxy.cut()],
    ['not answering', () => proxy.blackhole()],
  ])('shuts down at once while Redis is %s, instead of waiting for its connections', async (_, breakRedis) => {
    const boardId = await api.createBoard('Closed during the outage')
    const client = connect(server.wsUrl, boardId)
    await client.synced()
    breakRedis()
    await redisLost(server.url)
    let closed = false
    void server.close().then(() => (closed = true))
    await waitFor(() => closed, 'the server to shut down', SHUTDOWN_MS)
  })
})
