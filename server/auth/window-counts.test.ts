import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { WindowCounts } from './window-counts.ts'

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
