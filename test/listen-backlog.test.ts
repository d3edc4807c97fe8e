/**
 * A thousand connections arriving while the server is busy wait in the
 * kernel's queue until it accepts them (server/server.ts, LISTEN_BACKLOG).
 * With Node's default queue of 511, the kernel dropped every connection past
 * it, and each of those clients tried again only a second later: the
 * many-boards row of the comparison (BENCHMARKS.md) took a second longer
 * than the server's work. Here the connections are all made within one turn
 * of the test's event loop, which is the server's, so nothing is accepted
 * until they are all in; the kernel's own count of what waits says how many
 * it kept.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { apiClient } from './helpers/api.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

/** As many as the comparison opens at once; fewer when the kernel keeps fewer queued for any server (`net.core.somaxconn`). */
const BURST = Math.min(1000, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')))

let server: TestServer | undefined
const sockets: Socket[] = []
let client: TestClient | undefined

afterEach(async () => {
  client?.destroy()
  client = undefined
  for (const socket of sockets.splice(0)) socket.destroy()
  await server?.destroy()
  server = undefined
})

/** The listening socket's queue as the kernel reports it (`ss`): connections waiting to be accepted, and how many it may hold. */
function listenQueue(port: number): { waiting: number; size: number } {
  const listed = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
  const [, waiting, size] = listed.stdout.trim().split(/\s+/)
  return { waiting: Number(waiting), size: Number(size) }
}

it('keeps a burst of a thousand connections queued until it accepts them, and serves on', async () => {
  server = await startTestServer()
  const { port } = server
  // Node connects to an IP address on the next tick: every connect() below runs before the event loop polls, so before the server accepts any.
  const connected = new Promise<void>((resolve) => process.nextTick(resolve))
  for (let i = 0; i < BURST; i++) {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    sockets.push(socket)
  }
  await connected
  // Polled without yielding, so the server accepts nothing meanwhile: a loaded kernel may finish some handshakes a moment later.
  const deadline = Date.now() + 10_000
  let queue = listenQueue(port)
  while (queue.waiting < BURST && Date.now() < deadline) queue = listenQueue(port)
  expect(queue.size).toBeGreaterThanOrEqual(BURST)
  expect(queue.waiting).toBe(BURST)

  for (const socket of sockets.splice(0)) socket.destroy()
  client = connectClient(server.wsUrl, await apiClient(server.url).createBoard('After the burst'))
  await client.synced()
})
