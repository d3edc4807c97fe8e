/**
 * Two `assay import` commands run at once against a database a server serves:
 * each is refused, and each must say that a server serves it, not that the
 * other command writes it. SQLite takes a PENDING lock on its way to an
 * EXCLUSIVE one, so one command's passing attempt refused the other's probe of
 * who holds the lock. Here a worker thread makes a command's attempts at the
 * lock without pause while the server's lock is held.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers/test-server.ts'
import { createLogger } from '../log.ts'
import type { SharedLock } from './held-lock.ts'
import { holdServingLock, lockHolder, type LockConfig } from './serving-lock.ts'

const PROBES = 1_000

let dataDir: string | undefined
let served: SharedLock | undefined
let contender: Worker | undefined
afterEach(async () => {
  // Asked to stop, never terminated: a thread terminated inside better-sqlite3's throw of a refused lock aborts the whole process (V8's `ToLocalChecked Empty MaybeLocal`).
  const running = contender
  if (running) {
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.postMessage('stop')
    await exited
  }
  await served?.release()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

it("names the serving server, never another command's attempt at the lock, as what holds a SQLite database", async () => {
  dataDir = tempDir()
  const config: LockConfig = { DATA_DIR: dataDir, DATABASE_URL: undefined, DATABASE_CONNECT_TIMEOUT_MS: 5_000 }
  served = await holdServingLock(config, createLogger('silent'))

  // What takeDatabaseAlone does on SQLite, over and over: refused each time, as the server holds the lock.
  contender = new Worker(
    `const Database = require('better-sqlite3')
    const { parentPort } = require('node:worker_threads')
    let attempts = 0
    let stopped = false
    parentPort.on('message', (asked) => {
      if (asked === 'stop') { stopped = true; parentPort.close() }
      else parentPort.postMessage(attempts)
    })
    const attempt = () => {
      if (stopped) return
      for (let i = 0; i < 100; i++, attempts++) {
        const client = new Database(${JSON.stringify(join(dataDir, 'assay-serving.lock'))}, { timeout: 0 })
        try { client.exec('begin exclusive') } catch {}
        client.close()
      }
      setImmediate(attempt)
    }
    attempt()
    parentPort.postMessage('attempting')`,
    { eval: true },
  )
  const worker = contender
  const reply = () => new Promise<unknown>((resolve) => worker.once('message', resolve))
  expect(await reply()).toBe('attempting')

  const answers: string[] = []
  for (let probe = 0; probe < PROBES; probe++) answers.push((await lockHolder(config)).who)
  worker.postMessage('how many')
  expect(await reply()).toBeGreaterThan(PROBES)

  expect(new Set(answers)).toEqual(new Set([`a server is serving the SQLite database in ${dataDir} (or an \`assay backup\` is reading it)`]))
})
