/**
 * How long the pool keeps an idle thread, on real threads: one whose heap
 * stayed small is kept for the next job (a fresh thread costs the next
 * compaction about four times its own work), one whose heap grew is stopped
 * after the short idle, and the job after it gets a new thread.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log.ts'
import { waitFor } from '../../test/helpers/wait-for.ts'
import type { JobName } from './jobs.ts'
import { WorkerPool, type IdlePolicy } from './worker-pool.ts'

const pools: WorkerPool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()))
})

function pool(idle: IdlePolicy): WorkerPool {
  const budgetsMs = new Proxy({} as Record<JobName, number>, { get: () => 20_000 })
  const made = new WorkerPool({ threads: 1, queueLimit: 4, memoryMb: 256, budgetsMs, logger: createLogger('silent'), idle })
  pools.push(made)
  return made
}

/** A compaction of an empty log: the job compactions run, at its smallest. */
const compactNothing = (on: WorkerPool) => on.run('merge-state', { checkpoint: null, rows: [] })

describe('idle worker threads', () => {
  it('keeps a thread whose heap stayed small for the next job, and stops one whose heap grew after the short idle', async () => {
    // Every thread's heap is over 1 MiB and under 1 GiB: the limit alone decides between the two pools.
    const kept = pool({ idleMs: 100, warmMs: 60_000, warmHeapMb: 1024 })
    const stopped = pool({ idleMs: 100, warmMs: 60_000, warmHeapMb: 1 })
    await compactNothing(kept)
    await compactNothing(stopped)
    expect([kept.load.threads, stopped.load.threads]).toEqual([1, 1])

    await waitFor(() => stopped.load.threads === 0, 'the grown thread to be stopped')
    // The kept pool's thread went idle first, with the same short idle: only its small heap kept it.
    expect(kept.load.threads).toBe(1)

    await compactNothing(kept)
    await compactNothing(stopped)
    expect([kept.load.threads, stopped.load.threads]).toEqual([1, 1])
  })
})
