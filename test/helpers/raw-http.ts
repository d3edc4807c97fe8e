/**
 * A raw TCP connection to the server, for what no well-behaved HTTP client
 * does: headers trickled a line at a time, answers left unread, connections
 * held open from a loopback address of their own (127.0.0.x), which the
 * server reads as the client's address.
 */
import net from 'node:net'
import { afterEach } from 'vitest'

export type RawConnection = {
  socket: net.Socket
  /** What the server has sent so far, as far as it was read. */
  received(): string
  /** Settles once the connection closes. */
  closed: Promise<void>
  isClosed(): boolean
  send(text: string): void
  /** Reads nothing more: what the server sends from now on stays in the network's buffers. */
  stopReading(): void
}

/** Opens a connection from `localAddress` and resolves once it is connected. */
export async function openConnection(port: number, localAddress = '127.0.0.1'): Promise<RawConnection> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress })
  const chunks: Buffer[] = []
  let closedNow = false
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  // A connection the server turns away or cuts off may report it as an error; its close says what happened.
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedNow = true
      resolve()
    }),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('close', () => reject(new Error('closed before connecting')))
  })
  return {
    socket,
    received: () => Buffer.concat(chunks).toString('latin1'),
    closed,
    isClosed: () => closedNow,
    send: (text) => void socket.write(text),
    stopReading: () => void socket.pause(),
  }
}

/** Opens connections as openConnection does, each destroyed after its test. */
export function connectionsDestroyedAfterEach(): (port: number, localAddress?: string) => Promise<RawConnection> {
  const opened: RawConnection[] = []
  afterEach(() => {
    for (const connection of opened.splice(0)) connection.socket.destroy()
  })
  return async (port, localAddress) => {
    const connection = await openConnection(port, localAddress)
    opened.push(connection)
    return connection
  }
}

/** A GET request as a client sends it, keeping the connection alive. */
export function getRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: '127.0.0.1', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`)
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`
}

/** The status codes of the answers received so far, in order. */
export function statusCodes(connection: RawConnection): number[] {
  return [...connection.received().matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))
}

/**
 * Sends a request with its body but for the body's last byte: the server has
 * the headers while the body is still coming. `sendRest()` sends that byte;
 * the server closes the connection after its answer.
 */
export function sendAllButLastByte(connection: RawConnection, method: string, path: string, headers: Record<string, string>, body: string): { sendRest(): void } {
  const bytes = Buffer.from(body)
  const lines = Object.entries({ host: `127.0.0.1:${connection.socket.remotePort}`, 'content-length': String(bytes.length), connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`)
  connection.socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`)
  connection.socket.write(bytes.subarray(0, -1))
  return { sendRest: () => void connection.socket.write(bytes.subarray(-1)) }
}

/** The one answer on a connection the server closed after it: its status and its JSON body (null when it has none). */
export function closingAnswer(connection: RawConnection): { status: number; body: unknown } {
  const received = Buffer.from(connection.received(), 'latin1')
  const headEnd = received.indexOf('\r\n\r\n')
  const head = received.subarray(0, headEnd).toString('latin1')
  const sent = received.subarray(headEnd + 4)
  const text = (/^transfer-encoding:\s*chunked/im.test(head) ? dechunked(sent) : sent).toString('utf8')
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: text === '' ? null : JSON.parse(text) }
}

function dechunked(body: Buffer): Buffer {
  const chunks: Buffer[] = []
  for (let at = 0; ; ) {
    const lineEnd = body.indexOf('\r\n', at)
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16)
    if (!(size > 0)) return Buffer.concat(chunks)
    chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}
