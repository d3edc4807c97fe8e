/**
 * A TCP proxy between a server and one service (PostgreSQL, Redis) that a test
 * can break on demand, touching only the connections that go through it, never
 * other users of the shared service:
 * - `cut()`: every connection is dropped and new ones are refused (the service is down);
 * - `blackhole()`: connections stay open but nothing is forwarded either way, and
 *   new ones are accepted and never answered (a half-open network: a dead peer
 *   behind a box that still acknowledges);
 * - `restore()`: forwarding resumes, for held connections too.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

export type TcpProxy = {
  /** The local port to point the server at instead of the service's. */
  port: number
  cut(): void
  blackhole(): void
  restore(): void
  close(): Promise<void>
}

/** A client's connection and, once it is forwarded, the proxy's connection to the service. */
type Link = { client: Socket; upstream?: Socket }

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>()
  let mode: 'open' | 'cut' | 'blackhole' = 'open'

  const drop = (link: Link) => {
    links.delete(link)
    link.client.destroy()
    link.upstream?.destroy()
  }
  const pipeBoth = ({ client, upstream }: Link) => {
    client.pipe(upstream!)
    upstream!.pipe(client)
  }
  const forward = (link: Link) => {
    const upstream = connect(target.port, target.host)
    link.upstream = upstream
    upstream.on('error', () => drop(link))
    upstream.on('close', () => drop(link))
    pipeBoth(link)
  }
  const hold = ({ client, upstream }: Link) => {
    client.unpipe()
    upstream?.unpipe()
    client.pause()
    upstream?.pause()
  }

  const server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy()
      return
    }
    const link: Link = { client }
    links.add(link)
    client.on('error', () => drop(link))
    client.on('close', () => drop(link))
    if (mode === 'open') forward(link)
    else client.pause()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })

  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      mode = 'cut'
      for (const link of [...links]) drop(link)
    },
    blackhole() {
      mode = 'blackhole'
      for (const link of links) hold(link)
    },
    restore() {
      if (mode === 'open') return
      mode = 'open'
      for (const link of links) {
        if (link.upstream) pipeBoth(link)
        else forward(link)
      }
    },
    close() {
      mode = 'cut'
      for (const link of [...links]) drop(link)
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
