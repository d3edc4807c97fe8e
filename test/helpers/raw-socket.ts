/**
 * A raw websocket to the relay: to send what no well-behaved client would,
 * and to read what the server sends, frame by frame.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../../shared/protocol.ts'
import { awarenessMessage, updateMessage } from '../../server/relay/messages.ts'
import { encodePresenceUpdate } from '../../server/relay/presence-state.ts'

export type RawSocket = {
  socket: WebSocket
  /** Every frame received so far. */
  received: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
  isClosed(): boolean
  send(frame: Uint8Array): void
  /** Ends the socket at once (for clean-up; safe to call twice). */
  terminate(): void
}

/** Opens a socket to `url` and resolves once it is open; rejects when the upgrade is refused. */
export async function openRawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(url, { headers })
  const received: Uint8Array[] = []
  let closedNow = false
  socket.binaryType = 'nodebuffer'
  socket.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
  // A socket refused or ended by the server reports it as an error too; the close event says what happened.
  socket.on('error', () => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => {
      closedNow = true
      resolve({ code, reason: reason.toString() })
    }),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
    socket.once('close', () => reject(new Error('closed before opening')))
  })
  return {
    socket,
    received,
    closed,
    isClosed: () => closedNow,
    send: (frame) => socket.send(frame),
    terminate: () => socket.terminate(),
  }
}

/** The status and Retry-After of an upgrade the server refuses (101 when it accepts it, and the socket is closed). */
export async function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null }> {
  const socket = new WebSocket(url, { headers })
  socket.on('error', () => {})
  return new Promise((resolve) => {
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: (response.headers['retry-after'] as string | undefined) ?? null })
      socket.terminate()
    })
    socket.once('open', () => {
      resolve({ status: 101, retryAfter: null })
      socket.close()
    })
  })
}

/** The y-protocols frames tests send. */
export const frames = {
  syncStep1(stateVector: Uint8Array): Uint8Array {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarUint8Array(encoder, stateVector)
    return encoding.toUint8Array(encoder)
  },
  update: updateMessage,
  /** Presence entries with their state given as JSON text, so that a test can send any text at all. */
  awareness(entries: { clientId: number; clock: number; json: string }[]): Uint8Array {
    return awarenessMessage(encodePresenceUpdate(entries))
  },
  queryAwareness: () => new Uint8Array([MESSAGE_QUERY_AWARENESS]),
}

/** The presence entries in the awareness frames among `received`, in order. */
export function receivedPresence(received: Uint8Array[]): { clientId: number; clock: number; state: Record<string, unknown> | null }[] {
  const entries: { clientId: number; clock: number; state: Record<string, unknown> | null }[] = []
  for (const frame of received) {
    const decoder = decoding.createDecoder(frame)
    if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) continue
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder))
    const count = decoding.readVarUint(update)
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(update)
      const clock = decoding.readVarUint(update)
      entries.push({ clientId, clock, state: JSON.parse(decoding.readVarString(update)) as Record<string, unknown> | null })
    }
  }
  return entries
}

/** The reasons of the permission-denied frames among `received`, in order. */
export function deniedReasons(received: Uint8Array[]): string[] {
  return received
    .filter((frame) => frame[0] === MESSAGE_AUTH)
    .map((frame) => {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      decoding.readVarUint(decoder)
      return decoding.readVarString(decoder)
    })
}

/** The sync step 2 replies among `received` (the answers to the socket's sync step 1 messages). */
export function syncReplies(received: Uint8Array[]): Uint8Array[] {
  return received.filter((frame) => frame[0] === MESSAGE_SYNC && frame[1] === 1)
}

/** What the sync frames among `received` carry (step 2 replies and updates, not step 1s), in order. */
export function syncPayloads(received: Uint8Array[]): Uint8Array[] {
  return received
    .filter((frame) => frame[0] === MESSAGE_SYNC && frame[1] !== 0)
    .map((frame) => {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      decoding.readVarUint(decoder)
      return decoding.readVarUint8Array(decoder)
    })
}
