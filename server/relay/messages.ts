/**
 * Encoders for the y-websocket messages the server sends. Each returns the
 * whole frame, so a broadcast is encoded once and the same bytes go to every socket.
 */
import * as encoding from 'lib0/encoding'
import * as authProtocol from 'y-protocols/auth'
import * as syncProtocol from 'y-protocols/sync'
import type * as Y from 'yjs'
import { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_SYNC } from '../../shared/protocol.ts'

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

export function syncStep1Message(doc: Y.Doc): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(e, doc)
  })
}

export function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep2(e, doc, stateVector)
  })
}

/**
 * A whole state sent as the updates it was stored in: every part but the last
 * as an update, the last as the step 2, so the client counts itself synced
 * only once it has applied them all.
 */
export function storedStateMessages(parts: readonly Uint8Array[]): Uint8Array[] {
  const last = parts.at(-1)
  if (last === undefined) return []
  const step2 = frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
    encoding.writeVarUint8Array(e, last)
  })
  return [...parts.slice(0, -1).map(updateMessage), step2]
}

/**
 * The sync update message carrying `update`, written straight into a buffer of
 * its size: sent for every commit, where an encoder's buffer of its own (and
 * the copy out of it) were garbage a keystroke. The same bytes as
 * y-protocols' `writeUpdate` after the message type.
 */
export function updateMessage(update: Uint8Array): Uint8Array {
  const length = update.byteLength
  let lengthBytes = 1
  for (let rest = length >>> 7; rest > 0; rest >>>= 7) lengthBytes++
  const message = new Uint8Array(2 + lengthBytes + length)
  message[0] = MESSAGE_SYNC
  message[1] = syncProtocol.messageYjsUpdate
  let at = 2
  let rest = length
  while (rest > 0x7f) {
    message[at++] = 0x80 | (rest & 0x7f)
    rest >>>= 7
  }
  message[at++] = rest
  message.set(update, at)
  return message
}

/** `update` is an encoded awareness update (awarenessProtocol.encodeAwarenessUpdate). */
export function awarenessMessage(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, update)
  })
}

export function permissionDeniedMessage(reason: string): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AUTH)
    authProtocol.writePermissionDenied(e, reason)
  })
}
