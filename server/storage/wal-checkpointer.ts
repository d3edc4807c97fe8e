/**
 * Checkpoints SQLite's WAL from a worker thread with a connection of its own,
 * so the relay's thread never stalls on it (automatic checkpoints are off).
 *
 * A checkpoint can fail (SQLITE_FULL on a full disk, SQLITE_BUSY): the worker
 * reports it and tries again at the next tick; the WAL simply grows meanwhile
 * and shrinks once a checkpoint gets through. Should the worker itself die, it
 * is started again. Nothing here may end the process: storage trouble makes
 * commits fail and retry, it never takes the server down.
 *
 * The thread (about 13 MiB: a worker is a V8 isolate of its own) is started
 * once the WAL holds something, so an instance nobody writes to holds none.
 */
import { stat } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Logger } from '../log.ts'
import { errorMessage } from '../../shared/error-message.ts'

export type WalCheckpointer = {
  /** Checkpoints one last time (truncating the WAL) and stops the worker. */
  stop(): Promise<void>
}

type WorkerReport = { type: 'checkpointed' } | { type: 'failed'; code: string; message: string } | { type: 'stopped' }

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
function checkpoint(mode) {
  try {
    db.pragma('wal_checkpoint(' + mode + ')')
    parentPort.postMessage({ type: 'checkpointed' })
  } catch (error) {
    parentPort.postMessage({ type: 'failed', code: String(error.code ?? 'unknown'), message: String(error.message) })
  }
}
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint('TRUNCATE')
  db.close()
  parentPort.postMessage({ type: 'stopped' })
})
`

/** A worker that died is started again after this long, doubling up to the cap while it keeps dying. */
const RESTART_DELAY_MS = 1000
const MAX_RESTART_DELAY_MS = 30_000

type CheckpointerOptions = { intervalMs: number; logger: Logger }

/**
 * Starts the checkpointer once the WAL is no longer empty, looking every
 * `intervalMs` (a stat, off the event loop). The caller empties the WAL first.
 */
export function startWalCheckpointerOnFirstWrite(path: string, options: CheckpointerOptions): WalCheckpointer & { readonly started: boolean } {
  let checkpointer: WalCheckpointer | undefined
  let stopped = false
  const watch = setInterval(() => {
    stat(`${path}-wal`, (error, stats) => {
      // No WAL file yet reads as nothing written.
      if (error || stats.size === 0 || checkpointer || stopped) return
      clearInterval(watch)
      options.logger.debug({ path }, 'the WAL holds writes; starting its checkpoints')
      checkpointer = startWalCheckpointer(path, options)
    })
  }, options.intervalMs)
  watch.unref()
  return {
    get started() {
      return checkpointer !== undefined
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
  const workerData = { path, driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: options.intervalMs }
  let worker: Worker | undefined
  let restartDelay = RESTART_DELAY_MS
  let restartTimer: NodeJS.Timeout | undefined
  let stopping = false
  /** What is going wrong (a failure's code, or the worker's exit), so a checkpoint failing every second is logged once, not every second. */
  let failing: string | undefined

  const onReport = (report: WorkerReport) => {
    if (report.type === 'checkpointed') {
      restartDelay = RESTART_DELAY_MS
      if (failing !== undefined) logger.info({ path }, 'WAL checkpoints work again')
      failing = undefined
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
