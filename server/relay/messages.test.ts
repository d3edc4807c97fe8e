import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { describe, expect, it } from 'vitest'
import { MESSAGE_SYNC } from '../../shared/protocol.ts'
import { updateMessage } from './messages.ts'

/** The message as y-protocols' encoder writes it, which clients read. */
function encoded(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

describe('updateMessage', () => {
  it('writes the bytes y-protocols writes, at every width of the length', () => {
    for (const length of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_097_152]) {
      const update = Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff)
      expect(updateMessage(update)).toEqual(encoded(update))
    }
  })
})
