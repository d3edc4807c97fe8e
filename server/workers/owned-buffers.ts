/**
 * What a message between the relay's thread and a worker thread can move
 * rather than copy: a job's input the caller gives up, a job's output the
 * thread is done with.
 */
/** The memory of each byte array in `value` that has its memory to itself (one cut from a shared pool has not), once each. */
export function ownedBuffers(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer)
  } else if (Array.isArray(value)) {
    for (const item of value) ownedBuffers(item, found)
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) ownedBuffers(item, found)
  }
  return [...found]
}
