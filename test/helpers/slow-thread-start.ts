/**
 * Worker threads that take their time to start, as they do on a loaded
 * machine: a thread's start took 45 ms on a quiet 2-core machine and up to
 * 3.5 s with ten runnable threads on its two cores. Each thread is held
 * `startMs` before it loads the server's thread script, which then tells the
 * pool it is ready.
 */
import { workerEntry } from '../../server/workers/worker-entry.ts'
import { workerEntry as testWorkerEntry } from './test-server.ts'

/** The entry of a thread that starts `startMs` late: the test servers' own (compiled) entry, or the sources' outside Vitest. */
export function slowStartingThreads(startMs: number): URL {
  const entry = testWorkerEntry() ?? workerEntry()
  const script = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${startMs}); await import(${JSON.stringify(entry.href)})`
  return new URL(`data:text/javascript,${encodeURIComponent(script)}`)
}
