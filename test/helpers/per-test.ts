import { afterEach, beforeEach } from 'vitest'

/**
 * A fixture made afresh before each test of a suite and closed after it. The
 * handle stands for the current test's fixture, so a suite names it once at
 * its top and reads it, inside a test or a later hook, as a fixture of its own.
 */
export function perTest<T extends object>(open: () => Promise<T>, close: (fixture: T) => Promise<void>): T {
  let current: T | undefined
  beforeEach(async () => {
    current = await open()
  })
  afterEach(async () => {
    const finished = current
    current = undefined
    if (finished) await close(finished)
  })
  return new Proxy({} as T, {
    get(_handle, key) {
      if (!current) throw new Error(`read the fixture's ${String(key)} inside a test, once beforeEach has run`)
      return Reflect.get(current, key)
    },
  })
}
