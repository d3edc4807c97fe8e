import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { WindowCounts } from './window-counts.ts'
import { WindowSketch } from './window-sketch.ts'

const WINDOW_MS = 60_000

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(1_000_000)
})
afterEach(() => {
  vi.useRealTimers()
})

it('refuses past the limit until its window ends, then counts afresh; an expired count is dropped without a timer', () => {
  const counts = new WindowCounts(WINDOW_MS, 10)
  expect([1, 2, 3].map(() => counts.take('a', 2).taken)).toEqual([true, true, false])
  vi.setSystemTime(1_000_000 + 15_000)
  expect(counts.take('a', 2)).toEqual({ taken: false, msBeforeNext: 45_000 })
  counts.take('b', 2)
  vi.setSystemTime(1_000_000 + WINDOW_MS)
  // `a`'s window is over: looking drops it, `b` (opened later) stays.
  expect(counts.size).toBe(1)
  expect(counts.take('a', 2).taken).toBe(true)
})

it('pushes out the oldest window when full, and holds no count with no place taken', () => {
  const counts = new WindowCounts(WINDOW_MS, 2)
  counts.take('oldest', 1)
  vi.setSystemTime(1_000_001)
  counts.take('newer', 1)
  counts.take('newest', 1)
  expect(counts.size).toBe(2)
  expect(counts.take('newer', 1).taken).toBe(false)
  expect(counts.take('oldest', 1).taken).toBe(true)
  counts.giveBack('oldest')
  counts.forget('newest')
  expect(counts.size).toBe(0)
})

it('counts a window afresh once it is over, even behind a key the clock, set back, left open', () => {
  const counts = new WindowCounts(WINDOW_MS, 10)
  counts.take('early', 1)
  vi.setSystemTime(1_000_000 - 30_000)
  counts.take('set back', 1)
  vi.setSystemTime(1_000_000 + 45_000)
  // `set back`'s window is over but it sits behind `early`'s, which is not: taken again, it starts afresh.
  expect(counts.take('set back', 1).taken).toBe(true)
  expect(counts.take('early', 1).taken).toBe(false)
})

it('gives the answers the exact counts give: refused past the limit for the rest of the window from its first place, then afresh', () => {
  const sketch = new WindowSketch(WINDOW_MS)
  const exact = new WindowCounts(WINDOW_MS, 10)
  const both = (key: string) => [sketch.take(key, 2), exact.take(key, 2)]
  for (const at of [0, 10_000, 15_000, 30_000, WINDOW_MS - 1, WINDOW_MS, WINDOW_MS + 5_000, 2 * WINDOW_MS + 1]) {
    vi.setSystemTime(1_000_000 + at)
    const [fromSketch, fromExact] = both('a')
    expect(fromSketch).toEqual(fromExact)
  }
  // A third window opened at 2 windows + 1 ms.
  vi.setSystemTime(1_000_000 + 2 * WINDOW_MS + 2)
  expect(sketch.take('a', 2).taken).toBe(true)
  expect(sketch.take('a', 2)).toEqual({ taken: false, msBeforeNext: WINDOW_MS - 1 })
})

it('forgets no count within its window however many other keys it counts', () => {
  const sketch = new WindowSketch(WINDOW_MS, 4, 1024)
  expect(sketch.take('target', 1).taken).toBe(true)
  for (let i = 0; i < 100_000; i++) sketch.take(`flood-${i}`, 1)
  expect(sketch.take('target', 1)).toEqual({ taken: false, msBeforeNext: WINDOW_MS })
  vi.setSystemTime(1_000_000 + WINDOW_MS)
  // Every cell of the flood started with the target's window: all of them end together.
  expect(sketch.take('target', 1).taken).toBe(true)
})

it('gives a place back, and takes the same memory whatever it counts', () => {
  const sketch = new WindowSketch(WINDOW_MS)
  expect(sketch.bytes).toBe(4 * 65_536 * 12)
  expect(sketch.take('a', 1).taken).toBe(true)
  sketch.giveBack('a')
  expect(sketch.take('a', 1).taken).toBe(true)
  expect(sketch.take('a', 1).taken).toBe(false)
})
