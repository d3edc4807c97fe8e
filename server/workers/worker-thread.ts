/**
 * Inside a worker thread: runs one job at a time as the pool sends them, and
 * answers each with its output or its error. A job that throws fails alone;
 * the thread carries on with the next.
 */
import { getHeapStatistics } from 'node:v8'
import { parentPort } from 'node:worker_threads'
import { JOBS, type JobInput, type JobName, type JobOutput } from './jobs.ts'
import { encodeJobError, type EncodedJobError } from './worker-errors.ts'
import { ownedBuffers } from './owned-buffers.ts'

export type JobRequest = { id: number; name: JobName; input: unknown }
/** Every message carries the thread's heap as it stands (bytes V8 holds for it): the pool decides from it how long to keep the thread idle. */
export type ThreadMessage = { heapBytes: number } & ({ ready: true } | { id: number; output: unknown } | { id: number; error: EncodedJobError })

const port = parentPort
if (!port) throw new Error('worker-thread.ts runs inside a worker thread only.')

const heapBytes = () => getHeapStatistics().total_heap_size

function runJob<K extends JobName>(name: K, input: JobInput<K>): Promise<JobOutput<K>> {
  const job = JOBS[name] as (input: JobInput<K>) => JobOutput<K> | Promise<JobOutput<K>>
  return Promise.resolve().then(() => job(input))
}

port.on('message', async ({ id, name, input }: JobRequest) => {
  try {
    const output = await runJob(name, input as JobInput<typeof name>)
    // What the job made is the relay's from now on: moved, not copied (an export's file can be hundreds of megabytes).
    port.postMessage({ id, output, heapBytes: heapBytes() } satisfies ThreadMessage, ownedBuffers(output))
  } catch (error) {
    port.postMessage({ id, error: encodeJobError(error), heapBytes: heapBytes() } satisfies ThreadMessage)
  }
})
port.postMessage({ ready: true, heapBytes: heapBytes() } satisfies ThreadMessage)
