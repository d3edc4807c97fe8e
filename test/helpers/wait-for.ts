/**
 * Pauses between checks: short at first, since most conditions a test waits on (a commit, a message over a local
 * socket) hold within a few milliseconds, and a test waiting on one after another (a keystroke committed before the
 * next, 1,200 times) would otherwise spend a whole pause on each; then every 10 ms, so a long wait costs little.
 */
const FIRST_PAUSE_MS = 1
const LONGEST_PAUSE_MS = 10

/** Polls `check` until it returns a truthy value, failing with `what` once the deadline passes. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  let pause = FIRST_PAUSE_MS
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS)
  }
}
