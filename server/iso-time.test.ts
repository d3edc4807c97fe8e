import { expect, it } from 'vitest'
import { isoTime } from './iso-time.ts'

/** Times in the order a server meets them and out of it: within one second, across seconds and days, before 1970, past year 9999. */
const TIMES = [
  Date.UTC(2026, 11, 7, 10, 0, 0, 0),
  Date.UTC(2026, 11, 7, 10, 0, 0, 7),
  Date.UTC(2026, 11, 7, 10, 0, 0, 42),
  Date.UTC(2026, 11, 7, 10, 0, 0, 999),
  Date.UTC(2026, 11, 7, 10, 0, 1, 0),
  Date.UTC(2026, 11, 7, 10, 0, 0, 500),
  Date.UTC(2026, 11, 7, 23, 59, 59, 999),
  Date.UTC(2026, 11, 8, 0, 0, 0, 1),
  -1,
  -999,
  -1000,
  -1001,
  -123_456_789,
  0,
  Date.UTC(10_000, 0, 1, 0, 0, 0, 5),
  Date.UTC(10_000, 0, 1, 0, 0, 0, 6),
  Date.UTC(-1, 5, 1, 12, 30, 15, 250),
  Date.UTC(-1, 5, 1, 12, 30, 15, 251),
  8.64e15,
  -8.64e15,
]

it('writes every time as toISOString does, whatever time it wrote before', () => {
  for (const ms of TIMES) expect(isoTime(new Date(ms)), String(ms)).toBe(new Date(ms).toISOString())
  // Each again after every other, so each is written both from the second kept and from scratch.
  for (const first of TIMES) {
    for (const ms of TIMES) {
      isoTime(new Date(first))
      expect(isoTime(new Date(ms)), `${ms} after ${first}`).toBe(new Date(ms).toISOString())
    }
  }
})

it('writes the times of a run of keystrokes, and times anywhere in range, as toISOString does', () => {
  let ms = Date.UTC(2026, 11, 7, 10, 0, 0, 0)
  for (let i = 0; i < 20_000; i++) {
    ms += Math.floor(Math.random() * 7)
    expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString())
  }
  for (let i = 0; i < 20_000; i++) {
    const anywhere = Math.round((Math.random() * 2 - 1) * 8.64e15)
    expect(isoTime(new Date(anywhere)), String(anywhere)).toBe(new Date(anywhere).toISOString())
  }
})

it('refuses an invalid time as toISOString does, and writes the next valid one right', () => {
  isoTime(new Date(Date.UTC(2026, 11, 7, 10, 0, 0, 0)))
  expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError)
  expect(isoTime(new Date(Date.UTC(2026, 11, 7, 10, 0, 0, 3)))).toBe('2026-12-07T10:00:00.003Z')
})
