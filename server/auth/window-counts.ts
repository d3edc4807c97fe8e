/**
 * Counts that start afresh a fixed window after their first place is taken,
 * held in memory with at most `maxKeys` keys. Unlike rate-limiter-flexible's
 * memory store (a timer and some 700 bytes per key, for the whole window), a
 * count expires lazily: the keys sit in the order their windows opened, so the
 * expired ones are always the first, and each use drops them. When every key
 * is still in its window, a new one pushes out the oldest, the count nearest
 * its end; what that forgets is for the caller to weigh (sign-in-throttle.ts).
 */
export type WindowPlace = { taken: true } | { taken: false; msBeforeNext: number }

type Count = { taken: number; endsAt: number }

export class WindowCounts {
  /** In the order their windows opened: a window that opens again moves its key to the end. */
  private readonly counts = new Map<string, Count>()

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Keys held now, expired ones dropped first. */
  get size(): number {
    this.dropExpired(Date.now())
    return this.counts.size
  }

  /** Takes a place under `key` when fewer than `limit` are taken in its window, or says how long until one is free. */
  take(key: string, limit: number): WindowPlace {
    const now = Date.now()
    this.dropExpired(now)
    let count = this.counts.get(key)
    // Behind the first key still in its window only when the clock went back: expired all the same.
    if (count && count.endsAt <= now) this.counts.delete(key)
    if (!count || count.endsAt <= now) {
      if (this.counts.size >= this.maxKeys) this.counts.delete(this.counts.keys().next().value!)
      count = { taken: 0, endsAt: now + this.windowMs }
      this.counts.set(key, count)
    }
    if (count.taken >= limit) return { taken: false, msBeforeNext: count.endsAt - now }
    count.taken++
    return { taken: true }
  }

  /** Gives one place back; a count with none taken is no longer held. */
  giveBack(key: string): void {
    const count = this.counts.get(key)
    if (!count) return
    count.taken--
    if (count.taken <= 0) this.counts.delete(key)
  }

  forget(key: string): void {
    this.counts.delete(key)
  }

  private dropExpired(now: number): void {
    for (const [key, count] of this.counts) {
      if (count.endsAt > now) return
      this.counts.delete(key)
    }
  }
}
