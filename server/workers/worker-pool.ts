/**
 * The worker pool: where work whose cost a member controls runs, so that it
 * can never stall the relay's event loop. Word diffs, imports, exports,
 * snapshot capture and compaction all rebuild or render a whole board; on the
 * main thread any of them froze every board of the instance for as long.
 *
 * Every bound is explicit:
 * - a few threads (one per spare core by default), each running one job at a time,
 *   and the short lane's (one by default), which run short jobs only
 *   (`shortLane`, job-lanes.ts: a board read, the checks), never an export,
 *   import, restore or comparison; started only when a short job waits while
 *   every other thread is started (none while a general thread is free, none
 *   with the server), and a short job waits for at most the short jobs ahead of it, not for a
 *   long job's whole budget (a reviewer's PDF exports held a board read, and a
 *   settings change answered with the board, 13 to 18 s: red team 32b); a
 *   short job is bounded by its own time budget on either lane;
 * - a queue of bounded length: over it a job is refused at once (`busy`);
 *   the server's own work is bounded apart and takes every other turn while
 *   members wait (fair-queue.ts), so that members filling the queue neither
 *   refuse it nor hold it back, nor a stream of it members; a member's job
 *   waits for a thread at most `memberWaitMs` (WORKER_QUEUE_WAIT_MS), then is
 *   refused `busy` (an export waited 150 s behind failing compactions); a job
 *   whose caller has another way (`startWithinMs`) is refused `busy` when no
 *   thread has started it in time, and never starts after, unless a thread is
 *   being started meanwhile: then it waits for that start (a thread's start
 *   took 45 ms on a quiet 2-core machine and up to 3.5 s on one loaded ten
 *   runnable threads deep, and a pool that has a thread coming is not busy);
 *   a thread not ready within `THREAD_START_TIMEOUT_MS` is stopped as one
 *   that died starting up, so no job waits for a start without bound;
 * - a bound on the jobs one person has running or waiting (`too-many-own`),
 *   and one line a person in the queue, the lines served in turn, so that one
 *   person asking again and again can neither fill the queue nor stand in
 *   front of everyone else (job-owner.ts says whose a job is); work that
 *   reads a whole board version from storage for its job takes the slot
 *   before it reads (`holdingSlot`), so a request refused reads nothing;
 * - a time budget per job kind: a job that overruns is refused (`over-time`)
 *   and its thread is stopped and replaced, whatever it was doing; a job that
 *   names what it computes (`overrunKey`: an export names the board's version,
 *   format and scope) is remembered once it overran, and the same job is
 *   refused at once (`overran-before`) until what it reads has changed; so is
 *   one that failed with an error its caller says recurs (`recurs`: a briefing
 *   too large), refused at once with the error its caller gives;
 * - worker time per person (WorkerTime, an HourlyAllowance counted in seconds): each job's time on its thread is
 *   charged to its owner once it ends, an overrun its whole budget, and a
 *   person who has spent theirs is refused (`worker-time-spent`) until it
 *   refills; the server's own work is never charged;
 * - a job nobody waits for any more (its request's client has gone) is dropped
 *   from the queue, or its thread stopped (`cancelled`); work shared by
 *   several readers carries no signal and runs on (job-owner.ts);
 * - a memory limit per thread: a job that exceeds it kills only its thread
 *   (`out-of-memory`), which is replaced.
 * A thread that fails takes only its own job with it. An idle thread is
 * stopped after a minute when its heap has grown (the memory a large job used
 * goes back) and kept for ten while it stays small: the compactions of a board
 * being typed come minutes apart, and one on a fresh thread costs about four
 * times its own work (starting the thread and loading the job's code).
 */
import { Worker } from 'node:worker_threads'
import type { Logger } from '../log.ts'
import { FairQueue } from './fair-queue.ts'
import { inHeldSlot, jobOwner, jobSignal, slotHeld } from './job-owner.ts'
import type { JobInput, JobName, JobOutput } from './jobs.ts'
import {
  busyError,
  cancelledError,
  closedError,
  decodeJobError,
  notStartedError,
  outOfMemoryError,
  overranBeforeError,
  overTimeError,
  threadFailedError,
  tooManyOwnError,
  WorkerJobError,
  workerTimeSpentError,
  type JobRefusal,
} from './worker-errors.ts'
import { workerEntry } from './worker-entry.ts'
import type { JobRequest, ThreadMessage } from './worker-thread.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { ownedBuffers } from './owned-buffers.ts'

export type WorkerPoolOptions = {
  /** Threads at most, besides the short lane's. */
  threads: number
  /** The short lane: the jobs its threads run (job-lanes.ts), and how many threads it has at most; none unless set. */
  shortLane?: { jobs: ReadonlySet<JobName>; threads: number }
  /** Jobs that may wait for a thread; more are refused. */
  queueLimit: number
  /** Jobs one person may have running or waiting; more of theirs are refused. */
  perOwnerLimit: number
  /** Heap limit of one thread, in MB. */
  memoryMb: number
  /** Time budget of one job, by kind, in ms; counted from when a thread starts it (the first of its kind in a thread loads its code within it). */
  budgetsMs: Record<JobName, number>
  logger: Logger
  /** Told of every job once it has settled (the metrics count them); must not throw. */
  settled?: (job: JobName, outcome: JobOutcome, seconds: number) => void
  /** How long an idle thread is kept; IDLE_THREADS unless set (tests shorten it). */
  idle?: IdlePolicy
  /** The script a thread starts from; workerEntry() unless set (tests' servers, run from the TypeScript sources, start their threads compiled). */
  entry?: URL
  /** Each person's worker time; uncounted unless set. */
  workerTime?: WorkerTime
  /** How long a thread may take to start; THREAD_START_TIMEOUT_MS unless set (tests shorten it). */
  startTimeoutMs?: number
  /**
   * A member's job that gives no `startWithinMs` of its own waits at most this long for a thread, then is refused `busy`
   * (503 with Retry-After): a request answered after minutes is one its proxy gave up on long before. Unbounded unless set.
   */
  memberWaitMs?: number
}

/** Where each person's worker time is counted (HourlyAllowance, shared through Redis when there is one); an owner is the pool's (a person id, or an address). */
export type WorkerTime = {
  /** Seconds a person may spend at once, and then per hour. */
  readonly perHour: number
  /** Seconds until `owner` may start a job again; 0 when they may now. */
  waitSeconds(owner: string): Promise<number>
  /** Charges `seconds` of a job that has ended; must not throw. */
  spend(owner: string, seconds: number): Promise<void>
}

/** What a caller says of a job beyond its input. */
export type JobOptions = {
  /** The board the job reads, for the log. */
  boardId?: string
  /** Names what the job computes (the same input gives the same work); once a job so named has overrun, the same is refused at once. Must change when what it reads does. */
  overrunKey?: string
  /**
   * For a job named by `overrunKey` whose error would recur until what it reads changes (a briefing too large): the
   * error to refuse the same job with at once meanwhile, as an overrun is; undefined for an error that may not recur.
   */
  recurs?: (error: Error) => (() => Error) | undefined
  /**
   * When no thread has started the job this many ms after it was asked for, and no thread is being started that it could
   * have, it is taken out of the queue and refused `busy`: its caller does the work another way.
   */
  startWithinMs?: number
  /**
   * The input's byte arrays were read from storage for this job alone: each that has its memory to itself is moved to the
   * thread rather than copied (copying a 14 MB board's version held the relay's thread 25 to 37 ms), and is empty here
   * after; the caller must not read them again.
   */
  moveInput?: boolean
  /**
   * A job of a short kind whose cost, known before it runs, is past a short job's bound (a past version replaying more
   * rows than a live board read ever does: history/replay-lane.ts): it runs on the general threads only, never the short lane's.
   */
  long?: boolean
}

/** Overruns and recurring errors remembered at most: the oldest is forgotten first. */
const REMEMBERED_REFUSALS = 1024

/**
 * A thread not ready this long after it was started is given up as one that
 * died starting up. A start took 45 ms on a quiet 2-core machine and up to
 * 3.5 s on one loaded ten runnable threads deep, so this is far past any slow
 * start; without it, jobs waiting for a start that hung (those past their
 * startWithinMs, which wait for a thread being started, included) would wait
 * for ever.
 */
export const THREAD_START_TIMEOUT_MS = 30_000

/** A thread whose heap is at most `warmHeapMb` is kept `warmMs` once idle, any other `idleMs`. */
export type IdlePolicy = { idleMs: number; warmMs: number; warmHeapMb: number }

/**
 * After folding 500 keystrokes a thread holds about 32 MiB of heap on a new
 * board, 55 to 65 on one of 100 assessments and 99 on one of 1,000 (garbage
 * not yet collected included), so compactions keep their thread; a DOCX or
 * PDF export of the board of 1,000 leaves 227 or 351 MiB, given back a minute on.
 */
export const IDLE_THREADS: IdlePolicy = { idleMs: 60_000, warmMs: 10 * 60_000, warmHeapMb: 128 }

/**
 * How a job ended: done, failed with its own error (bad input), refused at once with no job for having failed before
 * with an error that recurs (`failed-before`, see `recurs`), or refused by the pool.
 */
export type JobOutcome = 'done' | 'error' | 'failed-before' | JobRefusal

/** `general`: the threads that run any job; `short`: those that run short jobs only. */
export type Lane = 'general' | 'short'

/** What the pool holds now, for the metrics' gauges; `heapBytes`: the threads' heaps, as each last reported; `lanes`: each lane's threads and the jobs running there, by kind. */
export type WorkerPoolLoad = {
  threads: number
  running: number
  queued: number
  heapBytes: number
  lanes: Record<Lane, { threads: number; running: Partial<Record<JobName, number>> }>
}

/** `owner`: the person who asked for it, or null for the server's own work; `startedAt`: when a thread started it. */
type Job = {
  name: JobName
  input: unknown
  owner: string | null
  options: JobOptions
  /** How long it may wait for a thread: its caller's startWithinMs, or a member's bound (memberWaitMs); undefined: no bound. */
  startWithinMs: number | undefined
  startedAt?: number
  resolve: (output: unknown) => void
  reject: (error: Error) => void
}

type Thread = {
  worker: Worker
  lane: Lane
  ready: boolean
  running?: Job & { id: number; timer: NodeJS.Timeout }
  idleTimer?: NodeJS.Timeout
  /** Its heap, as it reported with its last message. */
  heapBytes: number
  /** The error the thread died of, when it reported one before exiting. */
  failure?: Error
  /** Gives the thread up should it not be ready in time (THREAD_START_TIMEOUT_MS). */
  startTimer?: NodeJS.Timeout
}

export class WorkerPool {
  private readonly threads = new Set<Thread>()
  private readonly queue = new FairQueue<Job, Lane>()
  /** Each person's jobs running or waiting. */
  private readonly ownJobs = new Map<string, number>()
  /** The overrunKeys of jobs that overran or failed with an error that recurs, oldest first, with what refuses the same job at once. */
  private readonly refusedBefore = new Map<string, () => Error>()
  /** Queued jobs past their startWithinMs while a thread was being started: refused once no thread is starting and they are still queued. */
  private readonly overdue = new Set<Job>()
  /** The errors thrown at once for a job that failed before with an error that recurs (not WorkerJobErrors, which say so themselves). */
  private readonly failedBefore = new WeakSet<Error>()
  /** Threads being stopped, until they have: close() waits for them. */
  private readonly stopping = new Set<Promise<void>>()
  private nextId = 0
  private closed = false

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Runs a job on a thread; rejects with a WorkerJobError when refused, or with the job's own error. */
  run<K extends JobName>(name: K, input: JobInput<K>, options: JobOptions = {}): Promise<JobOutput<K>> {
    const settled = this.options.settled
    if (!settled) return this.submit(name, input, options)
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    return this.submit(name, input, options).then(
      (output) => {
        settled(name, 'done', seconds())
        return output
      },
      (error: unknown) => {
        settled(name, this.outcomeOf(error), seconds())
        throw error
      },
    )
  }

  get load(): WorkerPoolLoad {
    let running = 0
    let heapBytes = 0
    const lanes: WorkerPoolLoad['lanes'] = { general: { threads: 0, running: {} }, short: { threads: 0, running: {} } }
    for (const thread of this.threads) {
      const lane = lanes[thread.lane]
      lane.threads++
      if (thread.running) {
        running++
        lane.running[thread.running.name] = (lane.running[thread.running.name] ?? 0) + 1
      }
      heapBytes += thread.heapBytes
    }
    return { threads: this.threads.size, running, queued: this.queue.length, heapBytes, lanes }
  }

  private readonly isShort = (job: Job): boolean => !job.options.long && (this.options.shortLane?.jobs.has(job.name) ?? false)

  private async submit<K extends JobName>(name: K, input: JobInput<K>, options: JobOptions): Promise<JobOutput<K>> {
    if (this.closed) throw closedError(name)
    const owner = jobOwner()
    const signal = jobSignal()
    const remembered = options.overrunKey === undefined ? undefined : this.overranBefore(name, options.overrunKey)
    if (remembered) throw remembered
    await this.refuseTimeSpent(name, owner)
    // From here to the queue nothing waits, so that no two of a person's jobs pass their bound together.
    if (signal?.aborted) throw cancelledError(name)
    // A job run in a slot its work holds was counted when the slot was taken.
    const inSlot = slotHeld()
    this.refuseOverBounds(name, owner, inSlot)
    const uncount = inSlot ? () => undefined : this.countOwn(owner)
    return new Promise<JobOutput<K>>((resolve, reject) => {
      // A member's job waits for a thread for a bounded time, whatever its caller asked; the server's own waits its turn.
      const startWithinMs = options.startWithinMs ?? (owner === null ? undefined : this.options.memberWaitMs)
      // Once a thread has started the job it is no longer queued, and the deadline passes it by; while a thread is being
      // started the job waits for it, and dispatch() refuses it if that thread went to another job.
      const startDeadline =
        startWithinMs === undefined
          ? undefined
          : setTimeout(() => {
              if (this.startingThreads() > 0) this.overdue.add(job)
              else if (this.queue.remove(job)) job.reject(notStartedError(name, startWithinMs))
            }, startWithinMs)
      const settled = () => {
        uncount()
        clearTimeout(startDeadline)
        this.overdue.delete(job)
        signal?.removeEventListener('abort', cancel)
        if (owner !== null && job.startedAt !== undefined) {
          this.options.workerTime?.spend(owner, (performance.now() - job.startedAt) / 1000).catch((error: unknown) => this.options.logger.error({ job: name, owner, err: errorMessage(error) }, 'worker time could not be counted'))
        }
      }
      const job: Job = {
        name,
        input,
        owner,
        options,
        startWithinMs,
        resolve: (output) => {
          settled()
          resolve(output as JobOutput<K>)
        },
        reject: (error) => {
          settled()
          reject(error)
        },
      }
      const cancel = () => this.cancel(job)
      signal?.addEventListener('abort', cancel, { once: true })
      this.queue.push(job)
      this.dispatch()
    })
  }

  /**
   * `work`'s answer, `work` holding one of its person's job slots from the
   * start: refused as a job would be (`too-many-own`, `busy`,
   * `worker-time-spent`, counted as its outcome) before it has done anything.
   * For work that reads a board's version from storage and hands it to a
   * job: refused only at the job, a flood of requests each did the whole read
   * first. The jobs `work` asks for run in its slot; work done for the
   * server, or within a slot already held, takes none.
   */
  async holdingSlot<T>(name: JobName, work: () => Promise<T>): Promise<T> {
    const owner = jobOwner()
    if (owner === null || slotHeld()) return work()
    try {
      await this.refuseTimeSpent(name, owner)
      this.refuseOverBounds(name, owner, false)
    } catch (error) {
      this.options.settled?.(name, this.outcomeOf(error), 0)
      throw error
    }
    const uncount = this.countOwn(owner)
    try {
      return await inHeldSlot(work)
    } finally {
      uncount()
    }
  }

  /** Refuses a job of a person who has spent their worker time. */
  private async refuseTimeSpent(name: JobName, owner: string | null): Promise<void> {
    const workerTime = this.options.workerTime
    if (owner === null || !workerTime) return
    const waitSeconds = await workerTime.waitSeconds(owner)
    if (waitSeconds > 0) {
      this.options.logger.warn({ job: name, owner, waitSeconds }, "a person's worker time spent: job refused")
      throw workerTimeSpentError(name, workerTime.perHour, waitSeconds)
    }
  }

  /** Refuses a job once the pool is closed, its person's jobs are at their bound (unless it runs in a slot they hold), or the queue is full. */
  private refuseOverBounds(name: JobName, owner: string | null, inSlot: boolean): void {
    if (this.closed) throw closedError(name)
    if (owner !== null && !inSlot && (this.ownJobs.get(owner) ?? 0) >= this.options.perOwnerLimit) {
      this.options.logger.warn({ job: name, owner }, "a person's jobs at their bound: job refused")
      throw tooManyOwnError(name, this.options.perOwnerLimit)
    }
    // The server's waiting jobs and the members' are each bounded by the limit: members who fill it cannot refuse a catch-up.
    const serverWaiting = this.queue.waitingOf(null)
    const waiting = owner === null ? serverWaiting : this.queue.length - serverWaiting
    if (waiting >= this.options.queueLimit) {
      this.options.logger.warn({ job: name, waiting }, 'worker queue full: job refused')
      throw busyError(name, waiting)
    }
  }

  /**
   * Throws what the job named `overrunKey` would get at once for having overrun before, or failed with an error that
   * recurs (counted as its outcome), so that a caller may refuse it before reading its input: an export reads the whole
   * board for it.
   */
  refuseIfOverran(name: JobName, overrunKey: string): void {
    const remembered = this.overranBefore(name, overrunKey)
    if (!remembered) return
    this.options.settled?.(name, this.outcomeOf(remembered), 0)
    throw remembered
  }

  private overranBefore(name: JobName, overrunKey: string): Error | undefined {
    const remembered = this.refusedBefore.get(`${name}:${overrunKey}`)?.()
    if (remembered && !(remembered instanceof WorkerJobError)) this.failedBefore.add(remembered)
    return remembered
  }

  /** How a job that threw `error` is counted: a remembered recurring error apart from a job's own, so that the metrics tell work done from work refused. */
  private outcomeOf(error: unknown): JobOutcome {
    if (error instanceof WorkerJobError) return error.refusal
    return error instanceof Error && this.failedBefore.has(error) ? 'failed-before' : 'error'
  }

  /** Drops `job` from the queue, or stops the thread running it: nobody waits for its answer. */
  private cancel(job: Job): void {
    if (this.queue.remove(job)) {
      job.reject(cancelledError(job.name))
      return
    }
    const thread = [...this.threads].find((each) => each.running?.reject === job.reject)
    if (thread) this.retire(thread, cancelledError)
  }

  /** Counts a job of `owner`'s until the returned function is called, once it has settled. */
  private countOwn(owner: string | null): () => void {
    if (owner === null) return () => undefined
    this.ownJobs.set(owner, (this.ownJobs.get(owner) ?? 0) + 1)
    return () => {
      const left = (this.ownJobs.get(owner) ?? 1) - 1
      if (left > 0) this.ownJobs.set(owner, left)
      else this.ownJobs.delete(owner)
    }
  }

  /** Refuses what waits, stops every thread (their jobs are refused) and resolves once they have exited. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.drain()) job.reject(closedError(job.name))
    for (const thread of [...this.threads]) this.retire(thread, closedError)
    await Promise.all(this.stopping)
  }

  /** Hands waiting jobs to ready threads, starts threads while there are more jobs than starting ones, then refuses the overdue jobs no thread is coming for. */
  private dispatch(): void {
    this.handOut()
    if (this.overdue.size === 0 || this.startingThreads() > 0) return
    for (const job of [...this.overdue]) {
      if (this.queue.remove(job)) job.reject(notStartedError(job.name, job.startWithinMs ?? 0))
    }
  }

  private handOut(): void {
    while (this.queue.length > 0) {
      if (this.startOnFreeThread()) continue
      const lane = this.laneWanted()
      if (!lane) return
      this.spawn(lane)
    }
  }

  /** Starts the next job a free thread may run (the short lane's: the next short job); false when none could start. */
  private startOnFreeThread(): boolean {
    for (const thread of this.threads) {
      if (!thread.ready || thread.running) continue
      const job = this.queue.shift(thread.lane, thread.lane === 'short' ? this.isShort : undefined)
      if (!job) continue
      this.start(thread, job)
      return true
    }
    return false
  }

  /**
   * The lane a thread should be started in for what waits, if any: a general one while there are fewer than `threads`
   * and more jobs than threads starting; once they are all started, the short lane's, while it has fewer than its own
   * and more short jobs wait than threads are starting (any of which could take one).
   */
  private laneWanted(): Lane | undefined {
    const starting = this.startingThreads()
    const lanes = this.load.lanes
    if (lanes.general.threads < this.options.threads) return starting < this.queue.length ? 'general' : undefined
    const shortThreads = this.options.shortLane?.threads ?? 0
    return lanes.short.threads < shortThreads && this.queue.countOf(this.isShort) > starting ? 'short' : undefined
  }

  private startingThreads(): number {
    return [...this.threads].filter((thread) => !thread.ready).length
  }

  private spawn(lane: Lane): void {
    const worker = new Worker(this.options.entry ?? workerEntry(), { resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb } })
    const thread: Thread = { worker, lane, ready: false, heapBytes: 0 }
    this.threads.add(thread)
    thread.startTimer = setTimeout(() => this.startTimedOut(thread), this.options.startTimeoutMs ?? THREAD_START_TIMEOUT_MS)
    thread.startTimer.unref()
    // An idle thread must not keep a CLI command's process alive; a running job holds it (see start).
    worker.unref()
    worker.on('message', (message: ThreadMessage) => this.receive(thread, message))
    // Kept for the thread's whole life: an error event without a listener would end the process.
    // The exit that follows reports it.
    worker.on('error', (error) => (thread.failure = error))
    worker.on('messageerror', (error) => {
      thread.failure = error
      this.options.logger.error({ err: error.message, job: thread.running?.name }, 'worker thread message could not be read')
      this.retire(thread, (job) => threadFailedError(job, 'its answer could not be read'))
    })
    worker.on('exit', (code) => this.exited(thread, code))
  }

  private receive(thread: Thread, message: ThreadMessage): void {
    thread.heapBytes = message.heapBytes
    if ('ready' in message) {
      clearTimeout(thread.startTimer)
      thread.ready = true
      this.idle(thread)
      this.dispatch()
      return
    }
    const job = thread.running
    if (!job || job.id !== message.id) return
    clearTimeout(job.timer)
    thread.running = undefined
    thread.worker.unref()
    if ('error' in message) {
      const error = decodeJobError(message.error, job.name)
      const again = job.options.recurs?.(error)
      if (again && job.options.overrunKey !== undefined) this.remember(`${job.name}:${job.options.overrunKey}`, again)
      job.reject(error)
    } else job.resolve(message.output)
    this.idle(thread)
    this.dispatch()
  }

  private start(thread: Thread, job: Job): void {
    clearTimeout(thread.idleTimer)
    const id = ++this.nextId
    const budgetMs = this.options.budgetsMs[job.name]
    const timer = setTimeout(() => {
      const { boardId, overrunKey } = job.options
      this.options.logger.warn({ job: job.name, owner: job.owner ?? 'server', boardId, budgetMs }, 'worker job over its time budget: thread stopped')
      if (overrunKey !== undefined) this.remember(`${job.name}:${overrunKey}`, () => overranBeforeError(job.name, budgetMs))
      this.retire(thread, (name) => overTimeError(name, budgetMs))
    }, budgetMs)
    job.startedAt = performance.now()
    thread.running = { ...job, id, timer }
    thread.worker.ref()
    try {
      thread.worker.postMessage({ id, name: job.name, input: job.input } satisfies JobRequest, job.options.moveInput ? ownedBuffers(job.input) : [])
    } catch (error) {
      // Input that cannot be cloned to a thread: a fault of this one job, the thread is fine.
      clearTimeout(timer)
      thread.running = undefined
      thread.worker.unref()
      job.reject(error instanceof Error ? error : new Error(String(error)))
      this.idle(thread)
    }
  }

  /** Takes a thread out of the pool and stops it; its running job, if any, is refused with `refusal`. A thread that will not stop is logged. */
  private retire(thread: Thread, refusal: (job: JobName) => Error): void {
    this.threads.delete(thread)
    clearTimeout(thread.idleTimer)
    clearTimeout(thread.startTimer)
    const job = thread.running
    if (job) {
      clearTimeout(job.timer)
      thread.running = undefined
      job.reject(refusal(job.name))
    }
    const stopped: Promise<void> = thread.worker
      .terminate()
      .then(() => undefined)
      .catch((error: unknown) => this.options.logger.error({ err: errorMessage(error) }, 'worker thread could not be stopped'))
      .finally(() => this.stopping.delete(stopped))
    this.stopping.add(stopped)
    if (!this.closed) this.dispatch()
  }

  /** A thread that exited on its own (crash, out of memory): its job fails, the next job gets a new thread. */
  private exited(thread: Thread, code: number): void {
    if (!this.threads.delete(thread)) return
    clearTimeout(thread.idleTimer)
    clearTimeout(thread.startTimer)
    const job = thread.running
    const outOfMemory = (thread.failure as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    this.options.logger.error({ code, job: job?.name, outOfMemory, err: thread.failure?.message }, 'worker thread exited')
    if (job) {
      clearTimeout(job.timer)
      job.reject(outOfMemory ? outOfMemoryError(job.name, this.options.memoryMb) : threadFailedError(job.name, thread.failure?.message ?? `exit code ${code}`))
    }
    if (!thread.ready) {
      this.refuseWaiting(thread.failure?.message ?? `exit code ${code}`)
      return
    }
    this.dispatch()
  }

  /** A thread still not ready at its start timeout: stopped as one that died starting up. */
  private startTimedOut(thread: Thread): void {
    if (!this.threads.has(thread) || thread.ready) return
    const startTimeoutMs = this.options.startTimeoutMs ?? THREAD_START_TIMEOUT_MS
    this.options.logger.error({ startTimeoutMs }, 'worker thread did not start in time: stopped')
    const cause = `it did not start within ${startTimeoutMs} ms`
    // Refused first: retiring dispatches, which would start another thread for what waits.
    this.refuseWaiting(cause)
    this.retire(thread, (job) => threadFailedError(job, cause))
  }

  /**
   * A thread died starting up: another start would likely fail the same way,
   * so what waits is refused rather than looped on; a job past its
   * startWithinMs is refused `busy`, as it would have been with no thread coming.
   */
  private refuseWaiting(cause: string): void {
    for (const waiting of this.queue.drain()) {
      waiting.reject(this.overdue.has(waiting) ? notStartedError(waiting.name, waiting.startWithinMs ?? 0) : threadFailedError(waiting.name, cause))
    }
  }

  private remember(key: string, refusal: () => Error): void {
    this.refusedBefore.delete(key)
    this.refusedBefore.set(key, refusal)
    if (this.refusedBefore.size > REMEMBERED_REFUSALS) this.refusedBefore.delete(this.refusedBefore.keys().next().value!)
  }

  private idle(thread: Thread): void {
    clearTimeout(thread.idleTimer)
    const { idleMs, warmMs, warmHeapMb } = this.options.idle ?? IDLE_THREADS
    const keptMs = thread.heapBytes <= warmHeapMb * 1024 * 1024 ? warmMs : idleMs
    thread.idleTimer = setTimeout(() => this.retire(thread, closedError), keptMs)
    thread.idleTimer.unref()
  }
}
