import { describe, expect, it } from 'vitest'
import { LoginThrottle } from '../../server/auth/login-throttle.ts'

/** A clock the test moves by hand, so delays of minutes are checked in no time. */
function clock() {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('login throttle', () => {
  const options = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, maxKeys: 3 }

  it('lets the first failures pass, then doubles the wait up to the cap', () => {
    const time = clock()
    const throttle = new LoginThrottle(options, time.now)
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      time.advance(throttle.waitMs('a'))
      throttle.fail('a')
      waits.push(throttle.waitMs('a'))
    }
    expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000])
    expect(throttle.waitMs('b')).toBe(0)
  })

  it('forgets a key after a success or a long quiet spell', () => {
    const time = clock()
    const throttle = new LoginThrottle(options, time.now)
    for (let i = 0; i < 3; i++) throttle.fail('a')
    expect(throttle.waitMs('a')).toBe(1000)
    throttle.succeed('a')
    expect(throttle.waitMs('a')).toBe(0)
    for (let i = 0; i < 3; i++) throttle.fail('a')
    time.advance(60_001)
    expect(throttle.waitMs('a')).toBe(0)
    throttle.fail('a')
    expect(throttle.waitMs('a')).toBe(0)
  })

  it('keeps at most maxKeys keys, dropping the quietest', () => {
    const throttle = new LoginThrottle(options, clock().now)
    for (const key of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) throttle.fail(key)
    throttle.fail('a')
    throttle.fail('d')
    expect(throttle.waitMs('b')).toBe(0)
    expect(throttle.waitMs('a')).toBeGreaterThan(0)
    expect(throttle.waitMs('c')).toBeGreaterThan(0)
  })
})
