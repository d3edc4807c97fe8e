/**
 * What one broadcast frame costs the server per socket, apart from everything
 * else a keystroke does: `npx tsx bench/frame-per-socket.ts`. A ws server in
 * this process holds `--sockets` readers, which a child process opens and
 * reads (this file again, with `--readers PORT`); each broadcast of a 30-byte
 * message is sent once every reader has the one before, through each path in
 * turn, alternating, after `--warm` broadcasts of each:
 * - `relay`: the relay's own (Connection.send with the outbound budget, onto
 *   WebsocketRelaySocket, which frames the message once for every socket);
 * - `ws`: ws's `send` with a callback, as @y/websocket-server sends;
 * - `write`: the frame written straight to each TCP socket, nothing checked:
 *   the floor under any path through Node's streams.
 * Prints the server process's user and system CPU a frame to a socket, each
 * turn's and the medians. On a busy machine CPU time drifts by more than these
 * paths differ; instructions do not: run one path under
 * `valgrind --tool=callgrind` with `--turns 1`, then with `--turns 0` (warm-up
 * alone), and divide the difference in instructions by broadcasts × sockets.
 */
import { fork, type ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import WebSocket, { WebSocketServer } from 'ws'
import { RELAY_LIMITS } from '../shared/limits.ts'
import { Connection } from '../server/relay/connection.ts'
import { IncomingRates } from '../server/relay/incoming-rates.ts'
import { OutboundBudget } from '../server/relay/outbound-budget.ts'
import { websocketFrame, WebsocketRelaySocket } from '../server/websocket/relay-socket.ts'
import { median } from './median.ts'

const FLAGS = {
  sockets: { type: 'string', default: '200' },
  broadcasts: { type: 'string', default: '1000' },
  warm: { type: 'string', default: '300' },
  turns: { type: 'string', default: '5' },
  paths: { type: 'string', default: 'relay,ws,write' },
  readers: { type: 'string' },
} as const

const MESSAGE_BYTES = 30

type Reader = { websocket: WebSocket; connection: Connection }
type Path = (readers: readonly Reader[], message: Uint8Array) => void

const PATHS: Record<string, Path> = {
  relay: (readers, message) => {
    for (const { connection } of readers) connection.send(message)
  },
  ws: (readers, message) => {
    for (const { websocket } of readers)
      websocket.send(message, {}, (error) => {
        if (error) throw error
      })
  },
  write: (readers, message) => {
    const frame = websocketFrame(message)
    for (const { websocket } of readers) socketOf(websocket).write(frame)
  },
}

/** ws keeps the TCP socket it was upgraded on as `_socket`; the relay is handed the same one by the upgrade. */
const socketOf = (websocket: WebSocket) => (websocket as unknown as { _socket: import('node:net').Socket })._socket

/** The child: opens the readers and tells the parent once every one of them has every frame asked for so far. */
function readFrames(port: number, sockets: number): void {
  let received = 0
  let expected = 0
  const readers = Array.from({ length: sockets }, () => {
    const websocket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false })
    websocket.on('message', () => {
      if (++received === expected) process.send!('received')
    })
    return websocket
  })
  process.on('message', (message) => {
    if (message === 'stop') {
      for (const reader of readers) reader.terminate()
      process.disconnect()
      return
    }
    expected += sockets
    if (received === expected) process.send!('received')
  })
}

function connectionOf(websocket: WebSocket, outbound: OutboundBudget): Connection {
  const admission = { rates: new IncomingRates(RELAY_LIMITS, true), claim() {}, release() {} }
  const identity = { userId: null, tokenId: null, sessionId: null, name: 'reader' }
  return new Connection(new WebsocketRelaySocket(websocket, socketOf(websocket)), { role: 'reviewer', archived: false }, identity, { outbound, admission, onClose() {} })
}

/** User and system CPU a frame to a socket over `broadcasts` broadcasts by `path`. */
async function measure(child: ChildProcess, readers: readonly Reader[], path: Path, broadcasts: number): Promise<{ user: number; system: number }> {
  const before = process.cpuUsage()
  for (let i = 0; i < broadcasts; i++) {
    // A message of its own each time, as each keystroke is: the relay frames it once, for the first socket.
    const message = new Uint8Array(MESSAGE_BYTES)
    message[MESSAGE_BYTES - 1] = i & 0xff
    const received = new Promise((resolve) => child.once('message', resolve))
    child.send('expect')
    path(readers, message)
    await received
  }
  const { user, system } = process.cpuUsage(before)
  const frames = broadcasts * readers.length
  return { user: user / frames, system: system / frames }
}

export async function benchFramePerSocket(args: string[]): Promise<Record<string, { user: number; system: number }>> {
  const { values } = parseArgs({ args, options: FLAGS, strict: true })
  const [sockets, broadcasts, warm, turns] = [values.sockets, values.broadcasts, values.warm, values.turns].map(Number) as [number, number, number, number]
  const paths = values.paths.split(',')
  const unknown = paths.filter((path) => !(path in PATHS))
  if (unknown.length > 0) throw new Error(`unknown path ${unknown.join(', ')}; choose from ${Object.keys(PATHS).join(', ')}`)
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
  await new Promise((resolve) => server.once('listening', resolve))
  const outbound = new OutboundBudget({ perConnection: RELAY_LIMITS.queuedBytesPerConnection, total: RELAY_LIMITS.queuedBytes })
  const readers: Reader[] = []
  const allOpen = new Promise<void>((resolve) =>
    server.on('connection', (websocket) => {
      readers.push({ websocket, connection: connectionOf(websocket, outbound) })
      if (readers.length === sockets) resolve()
    }),
  )
  const child = fork(fileURLToPath(import.meta.url), ['--readers', String((server.address() as AddressInfo).port), '--sockets', String(sockets)], { execArgv: ['--import', 'tsx'] })
  const figures: Record<string, { user: number[]; system: number[] }> = Object.fromEntries(paths.map((path) => [path, { user: [], system: [] }]))
  try {
    await allOpen
    for (const path of paths) await measure(child, readers, PATHS[path]!, warm)
    for (let turn = 0; turn < turns; turn++) {
      for (const path of turn % 2 === 0 ? paths : [...paths].reverse()) {
        const { user, system } = await measure(child, readers, PATHS[path]!, broadcasts)
        console.error(`frame-per-socket: turn ${turn + 1}, ${path}: user ${user.toFixed(3)} µs, system ${system.toFixed(3)} µs a frame`)
        figures[path]!.user.push(user)
        figures[path]!.system.push(system)
      }
    }
  } finally {
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
    for (const { websocket } of readers) websocket.terminate()
    await new Promise((resolve) => server.close(resolve))
  }
  const round = (micros: number) => Math.round(micros * 1000) / 1000
  return Object.fromEntries(
    Object.entries(figures)
      .filter(([, { user }]) => user.length > 0)
      .map(([path, { user, system }]) => [path, { user: round(median(user)), system: round(median(system)) }]),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: FLAGS, strict: true })
  if (values.readers) readFrames(Number(values.readers), Number(values.sockets))
  else console.log(JSON.stringify(await benchFramePerSocket(process.argv.slice(2))))
}
