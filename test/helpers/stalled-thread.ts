/**
 * Holds this thread for `ms`, as a large board applied or a long synchronous
 * job holds the server's: no timer, socket or promise of this thread runs
 * meanwhile, while the kernel keeps receiving what other processes send. It
 * waits rather than spins, so as not to take a core of the shared machine.
 */
export function stallThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Holds this thread at least `atLeastMs`, then until `done()` holds (read
 * every 10 ms, the thread held all along); false when it still does not at
 * `deadlineMs` from the start.
 */
export function stallThreadUntil(done: () => boolean, atLeastMs: number, deadlineMs: number): boolean {
  const start = performance.now()
  stallThread(atLeastMs)
  while (!done()) {
    if (performance.now() - start >= deadlineMs) return false
    stallThread(10)
  }
  return true
}
