/**
 * A TCP proxy between a server and one service (PostgreSQL, Redis) that a test
 * can break on demand, touching only the connections that go through it, never
 * other users of the shared service:
 * - `cut()`: every connection is dropped and new ones are refused (the service is down);
 * - `blackhole()`: connections stay open but nothing is forwarded either way, and
 *   new ones are accepted and never answered (a half-open network: a dead peer
 *   behind a box that still acknowledges);
 * - `strand()`: the connections open now go silent for good, their clients
 *   never told (a NAT or firewall that forgot them), while new ones are
 *   forwarded: only a client that notices the silence and connects afresh
 *   gets through again;
 * - `slow(ms)`: every chunk is forwarded `ms` late, either way, in order (a
 *   congested or far link: bytes keep coming, so no silence deadline trips,
 *   and each round trip takes twice `ms`); `slow(0)` forwards at once again,
 *   what waits included;
 * - `restore()`: forwarding resumes, at once (a slow() ended, what it held
 *   back passed on), for held connections too;
 * - `holdRequests(pattern)`: what a client sends that matches (a Redis
 *   SUBSCRIBE) waits, with everything it sends after it, until released: the
 *   service answers late, while the connection otherwise works;
 * - `countRequests(pattern)`: how many times what clients send on to the
 *   service matches, from now on;
 * - `loseAnswer(request, answer)`: on the connection that next sends a match
 *   of `request`, the service's next answer that matches `answer` (a
 *   transaction's COMMIT done) is never delivered: the connection is dropped
 *   instead, and its client never learns what became of what it asked.
 * `refused` counts the connections dropped as they came while cut: a client's
 * attempts to reconnect.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { Transform } from 'node:stream'

export type TcpProxy = {
  /** The local port to point the server at instead of the service's. */
  port: number
  cut(): void
  blackhole(): void
  strand(): void
  slow(ms: number): void
  restore(): void
  holdRequests(pattern: RegExp): RequestHold
  /** Counts the matches of `pattern` (global) in what is forwarded to the service from now on. */
  countRequests(pattern: RegExp): () => number
  /** Resolves once the answer was lost. */
  loseAnswer(request: RegExp, answer: RegExp): Promise<void>
  readonly refused: number
  close(): Promise<void>
}

export type RequestHold = {
  /** Resolves once a matching request has arrived, and is held. */
  held: Promise<void>
  /** Forwards what was held, and stops holding. */
  release(): void
}

/**
 * A client's connection and, once it is forwarded, the proxy's connection to
 * the service with what the client sends on its way to it, and what the
 * service answers on its way back; `losing`: it sent loseAnswer's request.
 */
type Link = { client: Socket; toService?: Transform; toClient?: Transform; upstream?: Socket; losing?: true }

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>()
  /** Stranded connections: never forwarded again, destroyed only when the proxy closes. */
  const stranded = new Set<Link>()
  let mode: 'open' | 'cut' | 'blackhole' = 'open'
  let holding: { pattern: RegExp; arrived: () => void; released: Promise<void> } | undefined
  let losing: { request: RegExp; answer: RegExp; lost: () => void } | undefined
  const counted: { pattern: RegExp; matches: number }[] = []
  let refused = 0
  let delayMs = 0
  /** The chunks slow() holds back, each passed on by its function (at most one a direction of a link). */
  const late = new Set<() => void>()
  /** Passes `chunk` on now, or `delayMs` late (a Transform takes its next chunk only once this one is passed: order is kept). */
  const passLate = (pass: (error: null, chunk: Buffer) => void, chunk: Buffer) => {
    if (delayMs === 0) return pass(null, chunk)
    const passNow = () => {
      clearTimeout(timer)
      late.delete(passNow)
      pass(null, chunk)
    }
    const timer = setTimeout(passNow, delayMs)
    late.add(passNow)
  }
  /** Ends slow(): what it holds back is passed on now, and so is everything after it. */
  const forwardAtOnce = () => {
    delayMs = 0
    for (const passNow of [...late]) passNow()
  }

  const drop = (link: Link) => {
    links.delete(link)
    stranded.delete(link)
    link.client.destroy()
    link.toService?.destroy()
    link.toClient?.destroy()
    link.upstream?.destroy()
  }
  const pipeBoth = ({ client, toService, toClient, upstream }: Link) => {
    client.pipe(toService!)
    upstream!.pipe(toClient!)
  }
  const forward = (link: Link) => {
    const upstream = connect(target.port, target.host)
    link.upstream = upstream
    link.toService = new Transform({
      transform(chunk: Buffer, _encoding, pass) {
        if (losing?.request.test(chunk.toString('latin1'))) link.losing = true
        for (const count of counted) count.matches += chunk.toString('latin1').match(count.pattern)?.length ?? 0
        const hold = holding
        if (!hold?.pattern.test(chunk.toString('latin1'))) return passLate(pass, chunk)
        hold.arrived()
        void hold.released.then(() => pass(null, chunk))
      },
    })
    link.toService.pipe(upstream)
    link.toClient = new Transform({
      transform(chunk: Buffer, _encoding, pass) {
        if (!link.losing || !losing?.answer.test(chunk.toString('latin1'))) return passLate(pass, chunk)
        losing.lost()
        losing = undefined
        drop(link)
      },
    })
    link.toClient.pipe(link.client)
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
      refused++
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
    strand() {
      for (const link of [...links]) {
        hold(link)
        links.delete(link)
        stranded.add(link)
      }
    },
    slow(ms) {
      if (ms === 0) forwardAtOnce()
      else delayMs = ms
    },
    restore() {
      forwardAtOnce()
      if (mode === 'open') return
      mode = 'open'
      for (const link of links) {
        if (link.upstream) pipeBoth(link)
        else forward(link)
      }
    },
    holdRequests(pattern) {
      let arrived!: () => void
      let release!: () => void
      const held = new Promise<void>((resolve) => (arrived = resolve))
      const released = new Promise<void>((resolve) => (release = resolve))
      holding = { pattern, arrived, released }
      return {
        held,
        release() {
          holding = undefined
          release()
        },
      }
    },
    countRequests(pattern) {
      if (!pattern.global) throw new Error('countRequests counts every match: give it a global pattern')
      const count = { pattern, matches: 0 }
      counted.push(count)
      return () => count.matches
    },
    loseAnswer(request, answer) {
      return new Promise<void>((lost) => (losing = { request, answer, lost }))
    },
    get refused() {
      return refused
    },
    close() {
      mode = 'cut'
      // No timer of slow() outlives the proxy.
      forwardAtOnce()
      for (const link of [...links, ...stranded]) drop(link)
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
