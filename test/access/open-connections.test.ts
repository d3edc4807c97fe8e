/**
 * Connections that cost the server without ever making a request: a slowloris
 * trickling a header line at a time is cut off once its headers are late,
 * while an idle keep-alive connection keeps its time; one address holds at
 * most its share of connections, so others still get in; and past the
 * instance's total a new connection is turned away at once, readiness saying
 * so, rather than the server running out of file descriptors. Before, 20,100
 * such connections from one address held the server at its 20,000
 * descriptors, and fresh websocket upgrades failed for a minute.
 */
import { afterEach, expect, it } from 'vitest'
import type { Readiness } from '../../server/health/readiness.ts'
import { connectionsDestroyedAfterEach, getRequest, statusCodes, type RawConnection } from '../helpers/raw-http.ts'
import { refusedUpgrade } from '../helpers/raw-socket.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const open = connectionsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const connect = (localAddress?: string) => open(server!.port, localAddress)

/** A connection that has begun a request and sends one more header line every `everyMs`, never ending its headers. */
async function trickling(localAddress: string, everyMs: number): Promise<RawConnection> {
  const connection = await connect(localAddress)
  connection.send('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n')
  const timer = setInterval(() => connection.send('x-slow: 1\r\n'), everyMs)
  void connection.closed.then(() => clearInterval(timer))
  return connection
}

/** A request on a connection of its own from `localAddress`, answered or not. */
async function healthzFrom(localAddress: string): Promise<'answered' | 'turned away'> {
  const connection = await connect(localAddress)
  connection.send(getRequest('/healthz'))
  await waitFor(() => statusCodes(connection).length > 0 || connection.isClosed(), 'an answer or the connection closed')
  return statusCodes(connection)[0] === 200 ? 'answered' : 'turned away'
}

it('cuts a request off once its headers are late, and keeps an idle keep-alive connection open past that time', async () => {
  server = await startTestServer({ env: { HTTP_HEADERS_TIMEOUT_MS: '400' } })
  const idle = await connect()
  idle.send(getRequest('/healthz'))
  await waitFor(() => statusCodes(idle).length === 1, 'the first answer on the keep-alive connection')

  const started = performance.now()
  const slow = await trickling('127.0.0.1', 100)
  await waitFor(() => slow.isClosed(), 'the trickling request to be cut off', 5_000)
  expect(statusCodes(slow)).toEqual([408])
  expect(performance.now() - started).toBeLessThan(2_000)

  // Idle all that time, longer than the headers may take: still open, and it serves the next request.
  expect(idle.isClosed()).toBe(false)
  idle.send(getRequest('/healthz'))
  await waitFor(() => statusCodes(idle).length === 2, 'the second answer on the keep-alive connection')
  expect(statusCodes(idle)).toEqual([200, 200])
})

it('turns away connections past one address’s share, while others get in, and lets it in again as its connections close', async () => {
  server = await startTestServer({ env: { HTTP_CONNECTIONS_PER_ADDRESS: '5' } })
  const held = await Promise.all(Array.from({ length: 5 }, () => trickling('127.0.0.2', 1_000)))
  expect(await healthzFrom('127.0.0.2')).toBe('turned away')
  expect(await healthzFrom('127.0.0.3')).toBe('answered')
  expect(await refusedUpgrade(`${server.wsUrl}/no-such-board`)).toEqual({ status: 404, retryAfter: null })

  held[0]!.socket.destroy()
  await waitFor(async () => (await healthzFrom('127.0.0.2')) === 'answered', 'the address to get in again')
})

it('behind a proxy (TRUST_PROXY), counts no connections by address: they all come from the proxy', async () => {
  server = await startTestServer({ env: { HTTP_CONNECTIONS_PER_ADDRESS: '5', TRUST_PROXY: '1' } })
  await Promise.all(Array.from({ length: 8 }, () => trickling('127.0.0.2', 1_000)))
  expect(await healthzFrom('127.0.0.2')).toBe('answered')
})

it('turns new connections away past the instance’s total, and readiness says it is full', async () => {
  server = await startTestServer({ env: { HTTP_MAX_CONNECTIONS: '6' } })
  // The load balancer's own keep-alive connection, open before the flood.
  const balancer = await connect('127.0.0.9')
  balancer.send(getRequest('/readyz'))
  await waitFor(() => statusCodes(balancer).length === 1, 'readiness before the flood')
  expect(statusCodes(balancer)).toEqual([200])

  await Promise.all(['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4', '127.0.1.5'].map((address) => trickling(address, 1_000)))
  expect(await healthzFrom('127.0.1.6')).toBe('turned away')

  balancer.send(getRequest('/readyz'))
  await waitFor(() => statusCodes(balancer).length === 2, 'readiness during the flood')
  expect(statusCodes(balancer)).toEqual([200, 503])
  const body = balancer.received().slice(balancer.received().lastIndexOf('\r\n\r\n') + 4)
  expect((JSON.parse(body) as Readiness).connections).toEqual({ status: 'full', open: 6, max: 6 })
})

it('holds the metrics port to the same time for a request, and to a few connections at once', async () => {
  server = await startTestServer({ env: { METRICS_PORT: '0', HTTP_HEADERS_TIMEOUT_MS: '400' } })
  const metricsPort = Number(new URL(server.metricsUrl!).port)
  const held = await Promise.all(
    Array.from({ length: 24 }, async () => {
      const connection = await open(metricsPort)
      connection.send('GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\n')
      return connection
    }),
  )
  // Past the port's few connections, the rest are closed as they come; those held are cut off once their headers are late.
  await waitFor(() => held.every((connection) => connection.isClosed()), 'every unfinished request on the metrics port to be closed', 10_000)
  expect(held.filter((connection) => statusCodes(connection).includes(408)).length).toBeLessThanOrEqual(16)
  expect((await fetch(`${server.metricsUrl}/metrics`)).status).toBe(200)
})
