/**
 * Worker threads that hold each job until the test lets it go: every job a
 * thread is sent first waits on a named pipe (a FIFO) in a folder of the
 * test's, read synchronously as a job's own work holds its thread, and then
 * runs as usual. `release()` lets the job held now go on.
 */
import { closeSync, constants, openSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { workerEntry } from '../../server/workers/worker-entry.ts'
import { workerEntry as testWorkerEntry } from './test-server.ts'

export type HeldJobThreads = { entry: URL; release(): boolean }

export function heldJobThreads(folder: string): HeldJobThreads {
  const pipe = join(folder, 'held-jobs')
  execFileSync('mkfifo', [pipe])
  const entry = testWorkerEntry() ?? workerEntry()
  // Listening before the thread's own script does, so each job waits here first.
  const script = `import { parentPort } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
parentPort.on('message', () => readFileSync(${JSON.stringify(pipe)}))
await import(${JSON.stringify(entry.href)})`
  return {
    entry: new URL(`data:text/javascript,${encodeURIComponent(script)}`),
    /** False while no job waits on the pipe (no reader has it open); a writer opened and closed at once ends the held read. */
    release() {
      try {
        closeSync(openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK))
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false
        throw error
      }
    },
  }
}
