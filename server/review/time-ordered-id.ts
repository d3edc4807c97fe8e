/**
 * UUID version 7 ids (RFC 9562): the time in milliseconds, then a counter
 * within the millisecond, then random bits. Comments are listed by time and
 * then id, so ids made by one process in the same millisecond must still sort
 * in the order the comments were written.
 */
import { randomBytes } from 'node:crypto'

const MAX_COUNTER = 0xfff

let lastMs = 0
let counter = 0

export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now
    counter = 0
  } else if (counter < MAX_COUNTER) {
    counter++
  } else {
    // 4096 ids in one millisecond (or a clock that went back): borrow the next millisecond.
    lastMs++
    counter = 0
  }
  const time = lastMs.toString(16).padStart(12, '0')
  const random = randomBytes(8)
  random[0] = (random[0]! & 0x3f) | 0x80
  const tail = random.toString('hex')
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`
}
