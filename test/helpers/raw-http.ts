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
