/**
 * Checkpoints SQLite's WAL from a worker thread with a connection of its own,
 * so the relay's thread never stalls on it (automatic checkpoints are off).
 *
 * Each tick runs a PASSIVE checkpoint, which copies what it can into the
 * database file without waiting for anyone. SQLite starts the log over from
 * its beginning only when a write begins with the whole log copied; under
 * commits back to back a passive checkpoint always ends behind the last one,
 * so the log would only ever grow (hundreds of MB in a minute, until the disk
 * is full). So once the log holds more than its limit (SQLITE_WAL_LIMIT_MB),
 * the tick also runs a RESTART checkpoint: it takes the write lock, copies
 * the few pages committed since its passive ones and waits for readers to
 * leave the log, so that the next commit starts the log over and the file is
 * written again from its beginning rather than grown. Writers wait for it
 * meanwhile (every transaction takes the write lock first, sqlite-db.ts), so
 * its busy timeout is short, and it is not tried at all while a reader holds
 * an old snapshot (`assay backup`): the passive checkpoints cannot copy the
 * frames committed since, and the RESTART would only keep every commit
 * waiting for its busy timeout and give up. The next tick tries again.
 *
 * Not TRUNCATE there, nor `journal_size_limit`: cutting the file takes the
 * kernel about 0.35 ms a MB (25 ms at 64 MiB), held by whichever connection
 * does it, the checkpoint's (with writers waiting) or the relay's own. The
 * file is emptied (TRUNCATE) at the tick after a whole tick without writes,
 * when nobody is waiting for it: a server nobody writes to keeps no WAL.
 *
 * A checkpoint can fail (SQLITE_FULL on a full disk, SQLITE_BUSY): the worker
 * reports it and tries again at the next tick; the WAL simply grows meanwhile
 * and shrinks once a checkpoint gets through. Should the worker itself die, it
 * is started again. Nothing here may end the process: storage trouble makes
 * commits fail and retry, it never takes the server down.
 *
 * The thread (about 13 MiB: a worker is a V8 isolate of its own) is started
 * once the WAL holds something, so an instance nobody writes to holds none:
 * looked at as each of this process's writes begins (`writing`) until then,
 * and once a second for a write it does not see (another process's).
 */
import { stat, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Logger } from '../log.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type WalCheckpointer = {
  /** Checkpoints one last time (truncating the WAL) and stops the worker. */
  stop(): Promise<void>
}

type WorkerReport =
  | { type: 'checkpointed'; walBytes: number; overLimit: boolean }
  | { type: 'failed'; code: string; message: string }
  | { type: 'stopped' }

/**
 * How long a RESTART or TRUNCATE checkpoint waits for the write lock and then
 * for readers to leave the log. Writers wait behind it while it holds the
 * lock, so this bounds what it can cost the relay's thread (plus copying what
 * was committed since its passive checkpoints, a few ms); the relay's own
 * commits take well under a millisecond, so it gets the lock within its first
 * tries. SQLite's busy handler sleeps 1, 2, 5, 10 ms... between tries.
 */
export const CHECKPOINT_BUSY_TIMEOUT_MS = 20
/**
 * Before a RESTART checkpoint, passive ones run while each copies more than
 * this many frames (1 MiB of 4 KiB pages, a few ms to copy) and less than the
 * one before, so that what is left for the RESTART, which writers wait for, is
 * about as small. Each pass syncs the log and the database file, and commits
 * land meanwhile: once passes stop gaining on the commits (a disk whose syncs
 * take hundreds of ms under other load), or the log holds twice its limit,
 * more of them would only grow the log, by what a pass's duration commits
 * (each sync 400 ms slower: 54 MB against a 1 MiB limit after nine passes of
 * 0.5 to 1.6 s); the RESTART then runs at once and copies the rest itself,
 * writers waiting longer for it once.
 */
const SMALL_COPY_FRAMES = 256
const CATCH_UP_LIMITS = 2
/**
 * Frames a passive checkpoint leaves uncopied are a reader's, whose snapshot
 * still needs them: either one holding an old snapshot for as long as it reads
 * (`assay backup`), or a transaction or statement ending that very moment (the
 * relay's own commit keeps its read lock a few instructions past its frames),
 * gone at once unless its thread is descheduled there. So one more pass, this
 * long later, tells them apart: a held snapshot keeps the copy where it was,
 * one let go does not stop it. It waits on nobody (a passive checkpoint), and
 * it is the RESTART's busy timeout: a reader gone sooner would not have kept
 * commits waiting behind the RESTART's write lock anyway.
 *
 * A pass that could not run at all tells nothing, neither of the log nor of
 * its readers: SQLite reports it busy (the pragma's first column; its other
 * two, the log's frames and those copied, are then -1). A passive checkpoint
 * is refused that way when another connection's checkpoint holds the
 * checkpoint lock, or when it reads the log's header as a commit rewrites it
 * (the commit holding the write lock it would need to read it again). Taken
 * for a log started over, such a pass once let a RESTART run while a reader
 * held its frames, under a full test run's load (a commit landing on the
 * look): every commit waited behind its write lock. So the tick decides
 * nothing on it and the next tick looks again.
 */
const READER_PAUSE_MS = CHECKPOINT_BUSY_TIMEOUT_MS
/** Looks a moment apart before frames left uncopied are taken for a reader's (heldByReader). */
const READER_LOOKS = 2
/** The last checkpoint, at a server's stop, may wait: no more writes are coming. */
export const STOP_BUSY_TIMEOUT_MS = 5000

const WORKER_SOURCE = `
const { statSync } = require('node:fs')
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = ${CHECKPOINT_BUSY_TIMEOUT_MS}')
// A frame is a page and its 24-byte header.
const frameBytes = db.pragma('page_size', { simple: true }) + 24
function walBytes() {
  try {
    return statSync(workerData.path + '-wal').size
  } catch {
    return 0
  }
}
function failed(error) {
  parentPort.postMessage({ type: 'failed', code: String(error.code ?? 'unknown'), message: String(error.message) })
}
// A pass's counts, or undefined when it could not run (busy: READER_PAUSE_MS's comment).
function passive() {
  const result = db.pragma('wal_checkpoint(PASSIVE)')[0]
  return result.busy === 0 ? result : undefined
}
const pause = new Int32Array(new SharedArrayBuffer(4))
// Whether a reader may still keep the copy from the frames passive checkpoints leave: a moment later the copy has
// got no further while the log is no shorter (only a log started over, which no reader of its frames allows, counts
// again from its beginning), or the look could not run and so cannot show the reader gone. Looked at twice: a pass
// can end short of a reader's frames when a connection beginning a transaction holds a read slot that moment (the
// copy then stops at the slot's older mark), the next moving on; a reader gone lets each pass copy what was committed
// meanwhile, so two looks still find it gone.
function heldByReader(copied) {
  for (let look = 0; look < ${READER_LOOKS}; look++) {
    if (copied.checkpointed >= copied.log) return false
    Atomics.wait(pause, 0, 0, ${READER_PAUSE_MS})
    const again = passive()
    if (!again) return true
    if (again.log < copied.log) return false
    if (again.checkpointed <= copied.checkpointed) return true
    copied = again
  }
  return false
}
// The log's frame count at the last tick: unchanged, nothing was written for a whole tick.
let lastFrames = -1
function tick() {
  try {
    let copied = passive()
    // Nothing learned this tick, so nothing decided nor reported: the next tick looks again.
    if (!copied) return
    const idle = copied.log === lastFrames && copied.checkpointed === copied.log
    lastFrames = copied.log
    let overLimit = false
    if (idle && walBytes() > 0) {
      // Nothing written for a whole tick: the file is emptied, cheap now (nothing to copy, no writer in the way).
      // Looked at first: a log a RESTART had started over still counts its frames until the next write.
      const emptied = db.pragma('wal_checkpoint(TRUNCATE)')[0].busy === 0
      overLimit = !emptied && copied.log * frameBytes > workerData.walLimitBytes
    } else if (copied.log * frameBytes > workerData.walLimitBytes) {
      // What the RESTART copies it copies holding the write lock: about what was committed during the last passive
      // checkpoint. So more of them first while they gain on the commits (a log started over copies a negative count).
      // What the pass before copied; for the first, what the log had copied so far.
      let last = copied.checkpointed
      while (copied.log * frameBytes <= ${CATCH_UP_LIMITS} * workerData.walLimitBytes) {
        const again = passive()
        // Left to the RESTART, once heldByReader has looked again.
        if (!again) break
        const fresh = again.checkpointed - copied.checkpointed
        copied = again
        if (fresh <= ${SMALL_COPY_FRAMES} || fresh >= last) break
        last = fresh
      }
      // A reader holding frames, or a look that could not tell: a RESTART would only hold the write lock, every
      // commit waiting behind it, for its whole busy timeout and give up. Tried next tick. busy: the write lock or a
      // reader was not given up in time; tried again next tick too.
      overLimit = heldByReader(copied) || db.pragma('wal_checkpoint(RESTART)')[0].busy !== 0
    }
    parentPort.postMessage({ type: 'checkpointed', walBytes: walBytes(), overLimit })
  } catch (error) {
    failed(error)
  }
}
const timer = setInterval(tick, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  try {
    db.pragma('busy_timeout = ' + workerData.stopBusyTimeoutMs)
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch (error) {
    failed(error)
  }
  db.close()
  parentPort.postMessage({ type: 'stopped' })
})
`

/** Refused RESTART (or TRUNCATE) checkpoints in a row before a warning: one refused now and then (a commit holding the lock) is not worth one. */
const REFUSALS_BEFORE_WARNING = 5

/** A worker that died is started again after this long, doubling up to the cap while it keeps dying. */
const RESTART_DELAY_MS = 1000
const MAX_RESTART_DELAY_MS = 30_000

type CheckpointerOptions = {
  intervalMs: number
  /** Past this many bytes in the log, it is started over (a RESTART checkpoint). */
  walLimitBytes: number
  /** How long the last checkpoint, at stop, waits for readers: a process other than the server's may not keep its relay waiting (sqlite.ts). */
  stopBusyTimeoutMs?: number
  logger: Logger
}

/**
 * Starts the checkpointer once the WAL is no longer empty: looked at as each
 * write begins (`writing`: a stat, until the thread has started) and every
 * `intervalMs` (a stat, off the event loop). The caller empties the WAL first.
 * A write that writes nothing (a clean-up that finds nothing to delete) starts
 * no thread.
 *
 * Starting the thread costs about 30 ms of CPU (a V8 isolate, Node's
 * bootstrap, the driver's modules). Left to the look every second, it came up
 * to a second after the first write, in the middle of whatever was being
 * typed then: the comparison's first row, typed within a second of its
 * server's first writes, took it (BENCHMARKS.md).
 */
export function startWalCheckpointerOnFirstWrite(
  path: string,
  options: CheckpointerOptions,
): WalCheckpointer & { readonly started: boolean; writing(): void } {
  let checkpointer: WalCheckpointer | undefined
  let stopped = false
  const start = (why: string) => {
    if (checkpointer || stopped) return
    clearInterval(watch)
    options.logger.debug({ path }, `${why}; starting its checkpoints`)
    checkpointer = startWalCheckpointer(path, options)
  }
  const watch = setInterval(() => {
    stat(`${path}-wal`, (error, stats) => {
      // No WAL file yet reads as nothing written.
      if (!error && stats.size > 0) start('the WAL holds writes')
    })
  }, options.intervalMs)
  watch.unref()
  return {
    get started() {
      return checkpointer !== undefined
    },
    writing() {
      if (checkpointer || stopped) return
      let walBytes = 0
      try {
        walBytes = statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0
      } catch {
        // Never a reason to refuse the write: the look every second tries again.
        return
      }
      if (walBytes > 0) start('a write begins, the WAL holding writes')
    },
    stop() {
      stopped = true
      clearInterval(watch)
      return checkpointer?.stop() ?? Promise.resolve()
    },
  }
}

export function startWalCheckpointer(path: string, options: CheckpointerOptions): WalCheckpointer {
  const { logger } = options
  const workerData = {
    path,
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    intervalMs: options.intervalMs,
    walLimitBytes: options.walLimitBytes,
    stopBusyTimeoutMs: options.stopBusyTimeoutMs ?? STOP_BUSY_TIMEOUT_MS,
  }
  let worker: Worker | undefined
  let restartDelay = RESTART_DELAY_MS
  let restartTimer: NodeJS.Timeout | undefined
  let stopping = false
  /** What is going wrong (a failure's code, or the worker's exit), so a checkpoint failing every second is logged once, not every second. */
  let failing: string | undefined
  /** Ticks in a row whose checkpoint was refused with the log past its limit. */
  let refusals = 0

  const onReport = (report: WorkerReport) => {
    if (report.type === 'checkpointed') {
      restartDelay = RESTART_DELAY_MS
      if (failing !== undefined) logger.info({ path }, 'WAL checkpoints work again')
      failing = undefined
      // Logged once when it lasts: a commit in the way now and then is expected, a long-held reader (a backup) is not.
      if (report.overLimit && ++refusals === REFUSALS_BEFORE_WARNING) {
        logger.warn({ path, walBytes: report.walBytes, limitBytes: options.walLimitBytes }, 'the WAL is past its limit and a reader keeps it from being started over; trying every tick')
      }
      if (!report.overLimit) {
        if (refusals >= REFUSALS_BEFORE_WARNING) logger.info({ path, walBytes: report.walBytes }, 'the WAL is within its limit again')
        refusals = 0
      }
    } else if (report.type === 'failed' && failing !== report.code) {
      failing = report.code
      logger.error({ path, code: report.code, err: report.message }, 'WAL checkpoint failed; retrying (the WAL grows meanwhile)')
    }
  }

  const start = () => {
    restartTimer = undefined
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData })
    worker = started
    started.unref()
    started.on('message', onReport)
    // Permanent: without a listener, an error in the worker would be thrown on the main thread and end the process.
    started.on('error', (error) => logger.error({ path, err: error.message }, 'WAL checkpoint worker failed'))
    started.on('exit', (code) => {
      if (worker === started) worker = undefined
      if (stopping) return
      failing = 'exited'
      logger.error({ path, code, restartInMs: restartDelay }, 'WAL checkpoint worker exited; starting it again')
      restartTimer = setTimeout(start, restartDelay)
      restartTimer.unref()
      restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS)
    })
  }
  start()

  return {
    stop() {
      stopping = true
      clearTimeout(restartTimer)
      const running = worker
      if (!running) return Promise.resolve()
      return new Promise<void>((resolve) => {
        running.once('exit', () => resolve())
        running.on('message', (report: WorkerReport) => {
          if (report.type !== 'stopped') return
          running.terminate().catch((error: unknown) => logger.error({ err: errorMessage(error) }, 'WAL checkpoint worker could not be stopped'))
        })
        running.postMessage('stop')
      })
    },
  }
}
