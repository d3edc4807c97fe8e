/**
 * A websocket over bare TCP, its bytes written by the test: to send what no
 * websocket library will (a frame cut short and left so, a frame sent with
 * the upgrade request, control frames by the thousand), and to read only the
 * close the server sends. It answers no ping.
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export type TcpWebsocket = {
  socket: Socket
  /** Resolves once the TCP connection is gone, with the code of the close frame the server sent first (null: none). */
  closed: Promise<number | null>
  isClosed(): boolean
  /** The code of the close frame the server sent first, once it has come (null: none yet). */
  closeCode(): number | null
}

export type TcpWebsocketOptions = {
  /** Written in the same write as the request, before any answer. */
  withUpgrade?: Uint8Array
  /** Keeps sending once the server has ended its side, as a hostile client may (Node ends a socket's side with the peer's by default). */
  sendsAfterEnd?: boolean
}

/**
 * Opens a websocket at `url` (ws://host:port/path?query) by hand, and resolves
 * once the server has answered 101; rejects with the status line otherwise.
 */
export async function openTcpWebsocket(url: string, { withUpgrade = new Uint8Array(), sendsAfterEnd = false }: TcpWebsocketOptions = {}): Promise<TcpWebsocket> {
  const { hostname, port, pathname, search } = new URL(url)
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: sendsAfterEnd })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('close', () => reject(new Error('connection closed before the upgrade')))
  })
  const request = [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n')
  socket.write(Buffer.concat([Buffer.from(request), withUpgrade]))

  let received = Buffer.alloc(0)
  let closeCode: number | null = null
  let closedNow = false
  const closed = new Promise<number | null>((resolve) =>
    socket.once('close', () => {
      closedNow = true
      resolve(closeCode)
    }),
  )
  const answer = new Promise<void>((resolve, reject) => {
    let answered = false
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (!answered) {
        const end = received.indexOf('\r\n\r\n')
        if (end < 0) return
        const status = received.subarray(0, received.indexOf('\r\n')).toString()
        if (!status.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${status}`))
        answered = true
        received = received.subarray(end + 4)
        resolve()
      }
      closeCode ??= serverCloseCode(received)
    })
    void closed.then(() => reject(new Error('closed before the upgrade was answered')))
  })
  await answer
  return { socket, closed, isClosed: () => closedNow, closeCode: () => closeCode }
}

/** A frame as a client sends it (masked), announcing `payloadBytes` (the payload's own length unless given). */
export function clientFrame(opcode: number, payload: Uint8Array, { final = true, payloadBytes = payload.length } = {}): Buffer {
  const first = (final ? 0x80 : 0) | opcode
  const header =
    payloadBytes < 126
      ? Buffer.from([first, 0x80 | payloadBytes])
      : payloadBytes < 65_536
        ? Buffer.from([first, 0x80 | 126, payloadBytes >> 8, payloadBytes & 0xff])
        : Buffer.concat([Buffer.from([first, 0x80 | 127]), bigEndian64(payloadBytes)])
  const mask = randomBytes(4)
  const masked = Buffer.from(payload)
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i & 3]!
  return Buffer.concat([header, mask, masked])
}

export const OPCODE = { binary: 0x2, continuation: 0x0, ping: 0x9, pong: 0xa } as const

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(value))
  return bytes
}

/** The code of the first close frame among the server's (unmasked) frames in `bytes`, once it is there. */
function serverCloseCode(bytes: Buffer): number | null {
  let offset = 0
  while (offset + 2 <= bytes.length) {
    const opcode = bytes[offset]! & 0x0f
    const length7 = bytes[offset + 1]! & 0x7f
    const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0
    if (offset + 2 + extended > bytes.length) return null
    const length = length7 === 126 ? bytes.readUInt16BE(offset + 2) : length7 === 127 ? Number(bytes.readBigUInt64BE(offset + 2)) : length7
    const payload = offset + 2 + extended
    if (payload + length > bytes.length) return null
    if (opcode === 0x8) return length >= 2 ? bytes.readUInt16BE(payload) : null
    offset = payload + length
  }
  return null
}
