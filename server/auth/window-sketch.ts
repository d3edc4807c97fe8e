/**
 * Counts that start afresh a fixed window after their first place is taken,
 * like window-counts.ts, but in a fixed amount of memory that no other key
 * pushes a count out of: a count-min sketch. Each key has one cell in each of
 * `rows` rows of `width` cells, chosen by a hash keyed with a secret drawn for
 * this process, and each cell holds a count and the end of its window. A key's count is the
 * least of its cells'; a key whose cells all answer nothing is starting its
 * window, which its cells then last at least until. Without a collision that
 * is exactly the count and the window end window-counts.ts would give.
 *
 * A collision (other keys' places in every one of a key's cells) adds to the
 * key's count, so it is refused sooner, which for the ceilings of emails
 * without an account harms nobody (sign-in-throttle.ts). A key whose window
 * opens while every one of its cells is in other keys' windows cannot be told
 * from one already counting: its count ends with the first of those windows,
 * sooner than its own. Nobody outside can aim either, as the cells are chosen
 * by a key they never see; by chance, with n keys in their windows, a given
 * key's cells are all held with a likelihood of (1 - e^(-n/width))^rows:
 * 2.5% at 33,400 keys, 16% at 65,536 (4 rows of 65,536).
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { WindowPlace } from './window-counts.ts'

export class WindowSketch {
  private readonly secret = randomBytes(32)
  private readonly taken: Uint32Array
  private readonly endsAt: Float64Array

  constructor(
    private readonly windowMs: number,
    private readonly rows = 4,
    private readonly width = 65_536,
  ) {
    // Each row's cell is 4 bytes of one HMAC-SHA-256 (32 bytes), masked to the width.
    if (rows < 1 || rows > 8 || width < 1 || width > 2 ** 31 || (width & (width - 1)) !== 0) throw new Error('a sketch has 1 to 8 rows of a power of two cells')
    this.taken = new Uint32Array(rows * width)
    this.endsAt = new Float64Array(rows * width)
  }

  /** Bytes its cells take, the same whatever it counts. */
  get bytes(): number {
    return this.taken.byteLength + this.endsAt.byteLength
  }

  /** Takes a place under `key` when fewer than `limit` are taken in its window, or says how long until one is free. */
  take(key: string, limit: number): WindowPlace {
    const now = Date.now()
    const cells = this.cells(key)
    let least = Infinity
    let firstEnd = Infinity
    for (const cell of cells) {
      if (this.endsAt[cell]! <= now) this.taken[cell] = 0
      least = Math.min(least, this.taken[cell]!)
      firstEnd = Math.min(firstEnd, this.endsAt[cell]!)
    }
    // Once the first of its cells ends, the key's count is that cell's, started afresh.
    if (least >= limit) return { taken: false, msBeforeNext: firstEnd - now }
    for (const cell of cells) {
      if (least === 0) this.endsAt[cell] = Math.max(this.endsAt[cell]!, now + this.windowMs)
      this.taken[cell]!++
    }
    return { taken: true }
  }

  /** Gives one place back. */
  giveBack(key: string): void {
    const now = Date.now()
    for (const cell of this.cells(key)) if (this.endsAt[cell]! > now && this.taken[cell]! > 0) this.taken[cell]!--
  }

  private cells(key: string): number[] {
    const hash = createHmac('sha256', this.secret).update(key).digest()
    return Array.from({ length: this.rows }, (_, row) => row * this.width + (hash.readUInt32BE(row * 4) & (this.width - 1)))
  }
}
