/** Stored bytes between the drivers' Buffers and the Uint8Arrays Yjs reads and writes, shared rather than copied. */
/**
 * A stored state's or log row's bytes as the driver read them, not copied: a
 * state is the whole board (megabytes), a row may be as large (an import), and
 * the driver's buffer is this read's own.
 */
export function stateBytes(stored: Buffer): Uint8Array<ArrayBuffer> {
  // A driver reads into memory of its own, never into shared memory: the type only cannot tell.
  return new Uint8Array(stored.buffer as ArrayBuffer, stored.byteOffset, stored.byteLength)
}

/**
 * A state as the Buffer a driver writes, sharing its bytes: Buffer.from(state)
 * copied the whole board (14 MB: some 22 ms of the relay's thread a snapshot).
 */
export function stateBuffer(state: Uint8Array): Buffer {
  return Buffer.from(state.buffer, state.byteOffset, state.byteLength)
}
