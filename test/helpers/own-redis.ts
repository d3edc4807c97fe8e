/**
 * A redis-server of the test's own, on a free port, for what must reach no
 * other user of the shared Redis: a forged control message would close their
 * sockets, or worse.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { Redis } from 'ioredis'
import { waitFor } from './wait-for.ts'

export type OwnRedis = {
  url: string
  stop(): Promise<void>
  /** Starts it again, empty, on the same port, once stopped: Redis back after an outage. */
  restart(): Promise<void>
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let running = await runRedisServer(port, url)
  return {
    url,
    stop: () => running.stop(),
    async restart() {
      await running.stop()
      running = await runRedisServer(port, url)
    },
  }
}

async function runRedisServer(port: number, url: string): Promise<Pick<OwnRedis, 'stop'>> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], { stdio: 'ignore' })
  const exited = once(server, 'exit')
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await waitFor(async () => {
      if (probe.status !== 'ready') await probe.connect()
      return (await probe.ping()) === 'PONG'
    }, `redis-server to answer on port ${port}`)
  } finally {
    probe.disconnect()
  }
  return {
    async stop() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
      await exited
    },
  }
}

/** A port nothing listens on now; redis-server cannot be asked to pick one and say which. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
