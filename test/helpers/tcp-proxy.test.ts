/**
 * The test proxy itself: after slow(), restore() forwards at once again, what
 * slow() held back too (red team 31a: forwarding stopped, each chunk still
 * held its delay, so a test of a slow Redis could not tell what followed).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { waitFor } from './wait-for.ts'

/** Longer than any test runs: a chunk held that long is never forwarded within it. */
const AN_HOUR_MS = 3_600_000

let echo: Server | undefined
let proxy: TcpProxy | undefined
let client: Socket | undefined
afterEach(async () => {
  client?.destroy()
  await proxy?.close()
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)))
})

it('forwards at once after slow() then restore(), the chunk slow() held back first', async () => {
  echo = createServer((socket) => socket.pipe(socket))
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve))
  proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port })
  const connected = connect(proxy.port, '127.0.0.1')
  client = connected
  let received = ''
  connected.on('data', (chunk: Buffer) => (received += chunk.toString()))
  await new Promise((resolve) => connected.once('connect', resolve))
  connected.write('a')
  await waitFor(() => received === 'a', 'the echo through the proxy')

  proxy.slow(AN_HOUR_MS)
  const bs = proxy.countRequests(/b/g)
  connected.write('b')
  await waitFor(() => bs() === 1, 'the proxy to hold back what was sent while slow')
  proxy.restore()
  connected.write('c')
  await waitFor(() => received === 'abc', 'what was sent while slow, and after, echoed once restored', 30_000)
})
