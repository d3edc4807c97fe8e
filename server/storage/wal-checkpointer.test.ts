import { mkdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { waitFor } from '../../test/helpers/wait-for.ts'
import { createLogger } from '../log.ts'
import { startWalCheckpointer, startWalCheckpointerOnFirstWrite, type WalCheckpointer } from './wal-checkpointer.ts'

let folder: string | undefined
let checkpointer: WalCheckpointer | undefined
afterEach(async () => {
  await checkpointer?.stop()
  if (folder) rmSync(folder, { recursive: true, force: true })
})

it('outlives a worker that dies: it logs the death, starts the worker again, and checkpoints once it can', async () => {
  folder = join(tmpdir(), `assay-wal-${crypto.randomUUID()}`)
  const path = join(folder, 'board.db')
  const lines: { msg: string }[] = []
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) })
  // The folder does not exist yet, so the worker cannot open the database and dies.
  checkpointer = startWalCheckpointer(path, { intervalMs: 50, walLimitBytes: 1024 ** 2, logger })
  await waitFor(() => lines.some((line) => line.msg === 'WAL checkpoint worker exited; starting it again'), 'the worker to die and be restarted')

  mkdirSync(folder)
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('wal_autocheckpoint = 0')
  db.exec('create table t (x text)')
  db.prepare('insert into t values (?)').run('x'.repeat(100_000))
  await waitFor(() => lines.some((line) => line.msg === 'WAL checkpoints work again'), 'checkpoints once the database exists')
  db.close()
})

/** A database in WAL mode, as the server opens one: no automatic checkpoints, a table, and its WAL emptied. */
function databaseWithEmptyWal() {
  folder = join(tmpdir(), `assay-wal-${crypto.randomUUID()}`)
  mkdirSync(folder)
  const path = join(folder, 'board.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('wal_autocheckpoint = 0')
  db.exec('create table t (x text)')
  db.pragma('wal_checkpoint(TRUNCATE)')
  return { path, db }
}

it('starts its thread once the WAL holds a write, then checkpoints it; stopping empties the WAL', async () => {
  const { path, db } = databaseWithEmptyWal()
  const lazy = startWalCheckpointerOnFirstWrite(path, { intervalMs: 20, walLimitBytes: 1024 ** 2, logger: createLogger('silent') })
  checkpointer = lazy

  db.prepare('insert into t values (?)').run('x'.repeat(100_000))
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(100_000)
  await waitFor(() => lazy.started, 'the checkpoint thread to start after the write')
  await lazy.stop()
  expect(statSync(`${path}-wal`).size).toBe(0)
  db.close()
})

it('starts its thread as a write begins once the WAL holds one, without waiting for its look every second', async () => {
  const { path, db } = databaseWithEmptyWal()
  // A look at the WAL an hour away: only a write beginning starts the thread.
  const lazy = startWalCheckpointerOnFirstWrite(path, { intervalMs: 3_600_000, walLimitBytes: 1024 ** 2, logger: createLogger('silent') })
  checkpointer = lazy
  // A write that wrote nothing (a clean-up finding nothing to delete) leaves the WAL empty: no thread.
  lazy.writing()
  expect(lazy.started).toBe(false)

  db.prepare('insert into t values (?)').run('x'.repeat(100_000))
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(100_000)
  lazy.writing()
  expect(lazy.started).toBe(true)
  await lazy.stop()
  expect(statSync(`${path}-wal`).size).toBe(0)
  db.close()
})

/**
 * A log of about 1 MB, past the 64 KiB the tests give the thread, and a reader on another connection holding a
 * snapshot of it, as `assay backup` does for as long as it reads.
 */
function logHeldByReader() {
  folder = join(tmpdir(), `assay-wal-${crypto.randomUUID()}`)
  mkdirSync(folder)
  const path = join(folder, 'board.db')
  const lines: { msg: string }[] = []
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('wal_autocheckpoint = 0')
  db.exec('create table t (x text)')
  const insert = db.prepare('insert into t values (?)')
  for (let row = 0; row < 10; row++) insert.run('x'.repeat(100_000))
  const reader = new Database(path)
  reader.exec('begin')
  reader.prepare('select count(*) from t').get()
  return { path, lines, logger, db, insert, reader }
}

it('starts a log past its limit over once a reader holding it lets go, warning once while it cannot', async () => {
  const { path, lines, logger, db, reader } = logHeldByReader()
  checkpointer = startWalCheckpointer(path, { intervalMs: 20, walLimitBytes: 64 * 1024, logger })
  await waitFor(() => lines.some((line) => line.msg.startsWith('the WAL is past its limit')), 'the warning that a reader holds the log')
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000)

  reader.exec('commit')
  reader.close()
  await waitFor(() => lines.some((line) => line.msg === 'the WAL is within its limit again'), 'the log started over once the reader is gone')
  // Nothing written since: the file is emptied.
  await waitFor(() => statSync(`${path}-wal`).size === 0, 'the WAL file to be emptied')
  expect(lines.filter((line) => line.msg.startsWith('the WAL is past its limit'))).toHaveLength(1)
  db.close()
})

/**
 * Starts the thread on a log a reader holds, with a frame committed past the reader's snapshot (no checkpoint may copy
 * it while it reads), and commits all along, as the relay's are, until the thread has found the log held for several
 * ticks in a row; then `beforeLettingGo`, and the reader lets go: the log is started over. A commit that has to wait for
 * the write lock fails at once rather than waiting (busy timeout 0): the relay's would have waited.
 */
async function commitWhileReaderHolds(held: ReturnType<typeof logHeldByReader>) {
  const { path, lines, logger, db, insert, reader } = held
  insert.run('y')
  db.pragma('busy_timeout = 0')
  checkpointer = startWalCheckpointer(path, { intervalMs: 20, walLimitBytes: 64 * 1024, logger })
  let commits = 0
  const refused: string[] = []
  while (!lines.some((line) => line.msg.startsWith('the WAL is past its limit'))) {
    try {
      insert.run('z')
      commits++
    } catch (error) {
      refused.push(String(error))
    }
    await new Promise((resolve) => setImmediate(resolve))
  }

  reader.exec('commit')
  reader.close()
  await waitFor(() => lines.some((line) => line.msg === 'the WAL is within its limit again'), 'the log started over once the reader is gone')
  db.close()
  return { commits, refused }
}

it('does not try to start the log over while a reader holds frames it could not copy, so no commit waits for it', async () => {
  const { commits, refused } = await commitWhileReaderHolds(logHeldByReader())
  expect(refused).toEqual([])
  expect(commits).toBeGreaterThan(0)
})
