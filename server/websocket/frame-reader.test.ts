import { describe, expect, it } from 'vitest'
import { clientFrame, OPCODE } from '../../test/helpers/tcp-websocket.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'
import { FrameReader, type FrameHeader } from './frame-reader.ts'

const OPCODE_CLOSE = 0x8

/** Frames as a client sends them, each with what its header holds and where it lies in the stream. */
type Layout = { opcode: number; final: boolean; start: number; headerBytes: number; payloadBytes: number }

const sent: { opcode: number; payloadBytes: number; final?: boolean }[] = [
  { opcode: OPCODE.binary, payloadBytes: 10 },
  { opcode: OPCODE.binary, payloadBytes: 200 },
  { opcode: OPCODE.binary, payloadBytes: 70_000, final: false },
  { opcode: OPCODE.ping, payloadBytes: 5 },
  { opcode: OPCODE.continuation, payloadBytes: 300, final: false },
  { opcode: OPCODE.pong, payloadBytes: 0 },
  { opcode: OPCODE.continuation, payloadBytes: 0 },
  { opcode: OPCODE.binary, payloadBytes: 0 },
  { opcode: OPCODE_CLOSE, payloadBytes: 2 },
  // After a close frame ws reads nothing more, and neither does the reader.
  { opcode: OPCODE.binary, payloadBytes: 50 },
]

function stream(): { bytes: Buffer; layout: Layout[] } {
  const layout: Layout[] = []
  let start = 0
  const frames = sent.map(({ opcode, payloadBytes, final = true }) => {
    const frame = clientFrame(opcode, new Uint8Array(payloadBytes), { final })
    layout.push({ opcode, final, start, headerBytes: frame.length - payloadBytes, payloadBytes })
    start += frame.length
    return frame
  })
  return { bytes: Buffer.concat(frames), layout }
}

/** What the reader should say once `read` bytes have come, worked out from the layout alone. */
function expectedAfter(layout: Layout[], read: number) {
  const headers: FrameHeader[] = []
  let message: { declared: number; received: number; since: number } | null = null
  for (const frame of layout) {
    const payloadStart = frame.start + frame.headerBytes
    if (read < payloadStart) break
    const control = frame.opcode >= OPCODE_CLOSE
    if (!control) {
      if (frame.opcode !== OPCODE.continuation || !message) message = { declared: 0, received: 0, since: payloadStart }
      message.declared += frame.payloadBytes
      message.received += Math.min(frame.payloadBytes, read - payloadStart)
    }
    headers.push({ opcode: frame.opcode, control, frameBytes: frame.headerBytes + frame.payloadBytes, messagePayloadBytes: control ? 0 : message!.declared })
    const whole = read >= payloadStart + frame.payloadBytes
    if (whole && frame.opcode === OPCODE_CLOSE) return { headers, unfinished: null }
    if (whole && !control && frame.final) message = null
  }
  return { headers, unfinished: message && { receivedBytes: message.received, since: message.since } }
}

describe('reading frames as their bytes arrive', () => {
  it('byte by byte: every header as it completes, and the unfinished message at every byte, fragments and control frames between them included', () => {
    const { bytes, layout } = stream()
    const headers: FrameHeader[] = []
    const reader = new FrameReader((header) => headers.push(header))
    for (let read = 1; read <= bytes.length; read++) {
      reader.read(bytes.subarray(read - 1, read), read)
      const expected = expectedAfter(layout, read)
      const unfinished = reader.unfinished
      expect(unfinished && { receivedBytes: unfinished.receivedBytes, since: unfinished.since }, `after ${read} bytes`).toEqual(expected.unfinished)
      expect(headers.length, `after ${read} bytes`).toBe(expected.headers.length)
    }
    expect(headers).toEqual(expectedAfter(layout, bytes.length).headers)
  })

  it('in chunks cut anywhere: the same headers, and the same unfinished message after each chunk', () => {
    const { bytes, layout } = stream()
    const random = seededRandom(6455)
    for (let run = 0; run < 200; run++) {
      const headers: FrameHeader[] = []
      const reader = new FrameReader((header) => headers.push(header))
      for (let read = 0; read < bytes.length; ) {
        const next = Math.min(bytes.length, read + 1 + random.int(random.next() < 0.5 ? 20 : 40_000))
        reader.read(bytes.subarray(read, next), 0)
        read = next
        expect(reader.unfinished?.receivedBytes ?? null, `run ${run} after ${read} bytes`).toBe(expectedAfter(layout, read).unfinished?.receivedBytes ?? null)
      }
      expect(headers, `run ${run}`).toEqual(expectedAfter(layout, bytes.length).headers)
    }
  })

  it('reads a 64-bit length past 32 bits, as it is announced', () => {
    const headers: FrameHeader[] = []
    new FrameReader((header) => headers.push(header)).read(clientFrame(OPCODE.binary, new Uint8Array(), { payloadBytes: 2 ** 40 + 3 }), 0)
    expect(headers).toEqual([{ opcode: OPCODE.binary, control: false, frameBytes: 14 + 2 ** 40 + 3, messagePayloadBytes: 2 ** 40 + 3 }])
  })

  it('reads nothing once stopped', () => {
    const headers: FrameHeader[] = []
    const reader = new FrameReader((header) => headers.push(header))
    reader.read(clientFrame(OPCODE.binary, new Uint8Array(10), { final: false }), 0)
    reader.stop()
    reader.read(clientFrame(OPCODE.binary, new Uint8Array(10)), 0)
    expect(headers).toHaveLength(1)
    expect(reader.unfinished).toBeNull()
  })
})
