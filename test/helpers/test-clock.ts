/** A clock a test moves by hand, for a server whose history must hold edits at known moments. */
export type TestClock = {
  (): Date
  /** Moves the clock forward by `ms` and returns the new time as ISO text. */
  advance(ms: number): string
  iso(): string
}

export function testClock(start = Date.parse('2026-03-02T13:00:00.000Z')): TestClock {
  let now = start
  const clock = (() => new Date(now)) as TestClock
  clock.advance = (ms) => {
    now += ms
    return new Date(now).toISOString()
  }
  clock.iso = () => new Date(now).toISOString()
  return clock
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
