/**
 * The pool on real threads. Whose jobs run when: each person's waiting jobs
 * are one line, the lines served in turn, the server's own work ahead of
 * them, every other turn while they wait, and a person past their bound is refused at once, while others and the
 * server's own work are not; members filling the queue refuse none of the
 * server's work, and a job not started within the time its caller gave it is
 * refused and never runs. How long
 * it keeps an idle thread: one whose heap stayed small is kept for the next
 * job (a fresh thread costs the next compaction about four times its own
 * work), one whose heap grew is stopped after the short idle, and the job
 * after it gets a new thread. What a job is given: byte arrays read for it
 * alone are moved to its thread, not copied, unless cut from a shared pool.
 * A thread whose start hangs is stopped at its start timeout, and what waited
 * for it refused. When the short lane's thread is started: only for a short
 * job that the general threads, all started, leave waiting.
 */
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createLogger } from '../log.ts'
import { heldJobThreads, type HeldJobThreads } from '../../test/helpers/held-job-threads.ts'
import { tempDir } from '../../test/helpers/test-server.ts'
import { waitFor } from '../../test/helpers/wait-for.ts'
import { asJobOwner } from './job-owner.ts'
import type { JobName } from './jobs.ts'
import { WorkerJobError } from './worker-errors.ts'
import { IDLE_THREADS, WorkerPool, type IdlePolicy, type WorkerPoolOptions } from './worker-pool.ts'

const pools: WorkerPool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()))
})

function pool(idle: IdlePolicy, limits = { queueLimit: 4, perOwnerLimit: 4 }, more: Pick<WorkerPoolOptions, 'entry' | 'startTimeoutMs' | 'shortLane' | 'memberWaitMs'> = {}): WorkerPool {
  const budgetsMs = new Proxy({} as Record<JobName, number>, { get: () => 20_000 })
  const made = new WorkerPool({ threads: 1, ...limits, memoryMb: 256, budgetsMs, logger: createLogger('silent'), idle, ...more })
  pools.push(made)
  return made
}

/** A compaction of an empty log: the job compactions run, at its smallest. */
const compactNothing = (on: WorkerPool) => on.run('merge-state', { checkpoint: null, rows: [] })

/** 'done', or the refusal a job was refused with. */
const outcome = (job: Promise<unknown>) =>
  job.then(
    () => 'done',
    (error: unknown) => (error instanceof WorkerJobError ? error.refusal : String(error)),
  )

describe('whose jobs run', () => {
  it("serves the server's own work first, every other turn while a person waits, and each person's line in turn, refuses a person past their bound at once, and never counts the server's own work", async () => {
    const shared = pool(IDLE_THREADS, { queueLimit: 8, perOwnerLimit: 2 })
    const finished: string[] = []
    const job = (label: string) =>
      compactNothing(shared).then(
        () => finished.push(label),
        (error: unknown) => finished.push(`${label} refused: ${error instanceof WorkerJobError ? error.refusal : String(error)}`),
      )
    // All asked for before the pool's one thread is ready: every job waits, so the order they run in is the pool's alone.
    const asked = [
      ...asJobOwner('hog', () => [job('hog 1'), job('hog 2'), job('hog 3')]),
      asJobOwner('other', () => job('other 1')),
      job('server 1'),
      job('server 2'),
      job('server 3'),
    ]
    await Promise.all(asked)
    // The server's line goes first, but takes every other turn while a person's job waits.
    expect(finished).toEqual(['hog 3 refused: too-many-own', 'server 1', 'hog 1', 'server 2', 'other 1', 'server 3', 'hog 2'])
    // Settled jobs no longer count: the person may ask again.
    await asJobOwner('hog', () => job('hog 4'))
    expect(finished.at(-1)).toBe('hog 4')
  })
})

describe('a member’s job behind the server’s own work', () => {
  const folders: string[] = []
  let holding: { threads: HeldJobThreads; pool: WorkerPool } | undefined
  afterEach(async () => {
    // A thread blocked on the pipe cannot be stopped: every job held is let go before the pool closes.
    const { threads, pool: held } = holding ?? {}
    holding = undefined
    if (threads && held) await waitFor(() => (threads.release(), held.load.running === 0 && held.load.queued === 0), 'the held jobs to be let go')
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
  })

  it('is refused busy once it has waited its bound for the thread a server job holds, and never runs', async () => {
    const folder = tempDir()
    folders.push(folder)
    const held = heldJobThreads(folder)
    const shared = pool(IDLE_THREADS, { queueLimit: 4, perOwnerLimit: 4 }, { entry: held.entry, memberWaitMs: 50 })
    holding = { threads: held, pool: shared }
    const server = outcome(compactNothing(shared))
    await waitFor(() => shared.load.running === 1, 'the server job to hold the thread')
    let answered: string | undefined
    void asJobOwner('reader', () => outcome(compactNothing(shared))).then((refusal) => (answered = refusal))
    // The thread is held until the member is answered: without a bound, it never is.
    expect(await waitFor(() => answered, 'the member to be answered')).toBe('busy')
    expect(shared.load.queued).toBe(0)
    await waitFor(() => held.release(), 'the held server job to be let go')
    expect(await server).toBe('done')
    holding = undefined
  })

  it('starts after at most one of a stream of server jobs', async () => {
    const shared = pool(IDLE_THREADS, { queueLimit: 8, perOwnerLimit: 4 })
    let serverDone = 0
    let memberDone = false
    // Two server jobs wait at all times until the member's has run (or a thousand have, which the bound below refuses).
    const stream = async () => {
      while (!memberDone && serverDone < 1_000) {
        await compactNothing(shared)
        serverDone++
      }
    }
    const streams = [stream(), stream()]
    await waitFor(() => serverDone > 0, 'the server jobs to run')
    const before = serverDone
    await asJobOwner('reader', () => compactNothing(shared))
    memberDone = true
    expect(serverDone - before).toBeLessThanOrEqual(2)
    await Promise.all(streams)
  })
})

describe('the server’s own work while members fill the pool', () => {
  it('is neither refused for their queue nor started once past the time its caller gave it', async () => {
    const shared = pool(IDLE_THREADS, { queueLimit: 2, perOwnerLimit: 2 })
    // Asked for before the pool's one thread is ready: the members' two jobs fill the queue.
    const members = [asJobOwner('hog', () => outcome(compactNothing(shared))), asJobOwner('other', () => outcome(compactNothing(shared)))]
    expect(await asJobOwner('third', () => outcome(compactNothing(shared)))).toBe('busy')
    const server = outcome(compactNothing(shared))
    // Given no time to wait: refused once its deadline passes, still queued, and never started after it.
    const late = outcome(shared.run('merge-state', { checkpoint: null, rows: [] }, { startWithinMs: 0 }))
    expect(await late).toBe('busy')
    expect(await Promise.all([server, ...members])).toEqual(['done', 'done', 'done'])
    expect(shared.load.queued).toBe(0)
  })
})

describe('the short lane', () => {
  it('is started only for a short job that waits while every general thread is started', async () => {
    const lanes = pool(IDLE_THREADS, undefined, { shortLane: { jobs: new Set<JobName>(['merge-state']), threads: 1 } })
    // One at a time: the general thread takes each.
    await compactNothing(lanes)
    await compactNothing(lanes)
    expect(lanes.load.lanes).toMatchObject({ general: { threads: 1 }, short: { threads: 0 } })
    await lanes.close()

    // Two at once, before any thread is ready: the second is the short lane's.
    const both = pool(IDLE_THREADS, undefined, { shortLane: { jobs: new Set<JobName>(['merge-state']), threads: 1 } })
    expect(await Promise.all([outcome(compactNothing(both)), outcome(compactNothing(both))])).toEqual(['done', 'done'])
    expect(both.load.lanes).toMatchObject({ general: { threads: 1 }, short: { threads: 1 } })
  })
})

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

describe('what a job is given', () => {
  it('moves to the thread the byte arrays read for the job alone, copies one cut from a shared pool, and copies every one otherwise', async () => {
    const moving = pool(IDLE_THREADS)
    const doc = new Y.Doc()
    doc.getText('judgment').insert(0, 'The convoy turned back at Rostov. '.repeat(2000))
    const update = Y.encodeStateAsUpdate(doc)
    doc.destroy()
    const rows = () => [{ seq: 1, update: new Uint8Array(update), origin: 'editor', at: '2026-12-06T00:00:00.000Z' }]
    const owned = rows()
    // An empty document's update, in a Buffer cut from Node's shared pool: moving its memory would empty every other one there.
    const pooled = Buffer.from([0, 0])
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength)
    await moving.run('merge-state', { checkpoint: pooled, rows: owned }, { moveInput: true })
    expect(owned[0]!.update.byteLength).toBe(0)
    expect([...pooled]).toEqual([0, 0])

    const kept = rows()
    await moving.run('merge-state', { checkpoint: null, rows: kept })
    expect(kept[0]!.update).toEqual(update)
  })
})

describe('a thread whose start hangs', () => {
  it('is stopped at its start timeout: a job past its startWithinMs is refused busy, one without failed, and none waits on', async () => {
    // A thread that stays up and never tells the pool it is ready.
    const entry = new URL(`data:text/javascript,${encodeURIComponent('setInterval(() => {}, 1 << 30)')}`)
    const stuck = pool(IDLE_THREADS, undefined, { entry, startTimeoutMs: 300 })
    const settled: string[] = []
    // Given no time to wait: past it at once, it waits for the thread being started.
    void outcome(stuck.run('merge-state', { checkpoint: null, rows: [] }, { startWithinMs: 0 })).then((refusal) => settled.push(`late ${refusal}`))
    void outcome(compactNothing(stuck)).then((refusal) => settled.push(`waiting ${refusal}`))
    await waitFor(() => settled.length === 2, 'both jobs settled')
    expect(settled).toEqual(['late busy', 'waiting failed'])
    expect(stuck.load).toMatchObject({ threads: 0, queued: 0 })
  })
})
