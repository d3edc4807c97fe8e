import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { openTestStorage, tempDir } from '../../test/helpers/test-server.ts'
import { SQLITE_FILE_NAME } from './sqlite.ts'
import type { Storage } from './storage.ts'

/** How long the other connection keeps the write lock: well within the relay connection's busy timeout (5 s). */
const HOLD_MS = 300

/**
 * Another connection that takes the database's write lock, reports it held,
 * and lets it go after HOLD_MS: what the WAL's RESTART checkpoint (its thread)
 * or the command line does. A thread of its own, since the store's call below
 * holds this one while it waits.
 */
const HOLDER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.exec('BEGIN IMMEDIATE')
parentPort.postMessage('held')
setTimeout(() => {
  db.exec('COMMIT')
  db.close()
  parentPort.postMessage('released')
}, workerData.holdMs)
`

let storage: Storage | undefined
let dataDir: string | undefined
afterEach(async () => {
  await storage?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

it('waits for a write lock another connection holds, in a transaction that reads before it writes, rather than failing with SQLITE_BUSY', async () => {
  dataDir = tempDir('assay-immediate-')
  storage = await openTestStorage('sqlite', dataDir, '')
  const holder = new Worker(HOLDER_SOURCE, {
    eval: true,
    workerData: { path: join(dataDir, SQLITE_FILE_NAME), driver: createRequire(import.meta.url).resolve('better-sqlite3'), holdMs: HOLD_MS },
  })
  const messages: string[] = []
  holder.on('message', (message: string) => messages.push(message))
  const exited = new Promise((resolve) => holder.once('exit', resolve))
  await new Promise((resolve) => holder.once('message', resolve))

  // Counts the accounts, then inserts one: deferred, its insert would meet the held lock with a snapshot open, which SQLite refuses at once.
  const created = storage.users.createFirst({ id: 'u1', email: 'first@example.org', name: 'First', passwordHash: 'x', isAdmin: true, createdAt: new Date().toISOString(), deactivatedAt: null })
  await expect(created).resolves.toBe(true)
  await exited
  expect(messages).toEqual(['held', 'released'])
})
