/**
 * Holds this thread for `ms`, as a large board applied or a long synchronous
 * job holds the server's: no timer, socket or promise of this thread runs
 * meanwhile, while the kernel keeps receiving what other processes send. It
 * waits rather than spins, so as not to take a core of the shared machine.
 */
export function stallThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
