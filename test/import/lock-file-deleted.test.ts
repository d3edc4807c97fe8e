/**
 * The serving lock of a SQLite database is a lock on the file
 * DATA_DIR/assay-serving.lock. Deleted under a running server (a routine
 * clean-up of a "stale" lock file), the next command created a new file and
 * took an uncontested lock on it: `assay import` wrote 20 claims to the log
 * behind the server, which live clients never saw until a restart. A command
 * that writes boards is now refused while another process has the database
 * open, whatever the lock file says, and the server takes the lock on the new
 * file as soon as it sees its own is gone. The lock of the held-changes
 * spool (held-changes/spool.lock) is kept the same way: deleted under a server
 * holding a change it answered 202, another process took the spool and could
 * replay, and remove, the files of the change the server still held. A real
 * server in a process of its own, and the real command line.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { createLogger } from '../../server/log.ts'
import { HeldChangeSpool, SpoolRefused } from '../../server/relay/held-change-spool.ts'
import { trySqliteServingLock } from '../../server/storage/sqlite-serving-lock.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { runCli, type CliRun } from '../helpers/run-cli.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { openTestStorage, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const TEST_TIMEOUT_MS = 180_000
const HELD_APPENDS = fileURLToPath(new URL('../helpers/serve-held-appends.ts', import.meta.url))
const SERVED = /^assay: a server is serving the SQLite database in .*: nothing was (imported|set aside)\./

let dataDir: string
let server: ChildServer | undefined
const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' })
const assay = (...args: string[]): Promise<CliRun> => runCli(args, env())
const lockFile = () => join(dataDir, 'assay-serving.lock')

beforeEach(() => {
  dataDir = tempDir()
  writeFileSync(join(dataDir, 'article.txt'), SAMPLE_ARTICLE)
})
afterEach(async () => {
  await server?.kill()
  server = undefined
  rmSync(dataDir, { recursive: true, force: true })
})

it('refuses `assay import` and `assay board set-aside-damaged` once the lock file is deleted under the server', { timeout: TEST_TIMEOUT_MS }, async () => {
  server = await startChildServer(dataDir, env())
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Bridge closures')

  rmSync(lockFile())
  expect(await assay('import', join(dataDir, 'article.txt'), '--board', boardId)).toMatchObject({ code: 1, stderr: expect.stringMatching(SERVED) })
  rmSync(lockFile(), { force: true })
  expect(await assay('board', 'set-aside-damaged', '--board', boardId)).toMatchObject({ code: 1, stderr: expect.stringMatching(SERVED) })

  expect((await api.get<BoardModel>(`/api/boards/${boardId}`)).body.claims).toEqual([])
})

it('takes the lock again on the file created in place of the deleted one', { timeout: TEST_TIMEOUT_MS }, async () => {
  server = await startChildServer(dataDir, env())
  rmSync(lockFile())
  // Nothing but the server creates it here.
  await waitFor(() => existsSync(lockFile()), 'the server to create its lock file again')
  expect(heldElsewhere()).toBe(true)
})

it('keeps serving while a command holds the new lock file for a moment, then takes the lock on it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const serving = await startChildServer(dataDir, { ...env(), LOG_LEVEL: 'warn' })
  server = serving
  let exited = false
  void serving.exited.then(() => (exited = true))
  // A command's moment on the file put at the name (`assay import`'s check, another process's sqliteLogOwner), held
  // until the server's check has met it; tried again should the server create the file first.
  const command = await waitFor(() => {
    rmSync(lockFile(), { force: true })
    return trySqliteServingLock(dataDir, 'exclusive')
  }, 'the new lock file locked by a command')
  try {
    await waitFor(() => exited || serving.logs.some((line) => line.includes('another process holds the new one')), 'the server’s check to meet the command’s lock', 60_000)
  } finally {
    await command.release()
  }
  await waitFor(() => exited || heldElsewhere(), 'the server to take the lock on the new file', 60_000)
  expect(exited).toBe(false)
  expect((await fetch(`${serving.url}/healthz`)).status).toBe(200)
})

it('takes the held-changes spool’s lock again on the file created in place of the deleted one', { timeout: TEST_TIMEOUT_MS }, async () => {
  const token = await ownerToken()
  const hold = join(dataDir, 'hold-appends')
  // Its appends held while the flag file exists: a change is answered 202 and stays in the spool, its lock held.
  server = await startChildServer(dataDir, { ...env(), COMMIT_WAIT_MS: '300', HOLD_APPENDS: hold }, HELD_APPENDS)
  const api = apiClient(server.url, { authorization: `Bearer ${token}` })
  const boardId = await api.createBoard('Bridge closures')
  writeFileSync(hold, '')
  expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'The bridge reopens by spring' })).status).toBe(202)
  const spoolLock = join(dataDir, 'held-changes', 'spool.lock')
  expect(existsSync(spoolLock)).toBe(true)

  rmSync(spoolLock)
  // Nothing but the server creates it here.
  await waitFor(() => existsSync(spoolLock), 'the server to create its spool lock file again')
  const other = new HeldChangeSpool(dataDir, { maxChanges: 100, maxBytes: 1_000_000, sharePercent: 100 }, 'another-deployment')
  try {
    await expect(other.leftOver()).rejects.toThrow(SpoolRefused)
  } finally {
    await other.release()
  }
})

/** Whether another process holds the serving lock of DATA_DIR (an exclusive lock refused). */
function heldElsewhere(): boolean {
  const alone = trySqliteServingLock(dataDir, 'exclusive')
  void alone?.release()
  return alone === null
}

/** An owner's API token in a database made in DATA_DIR, closed before a server starts on it. */
async function ownerToken(): Promise<string> {
  const storage = await openTestStorage('sqlite', dataDir, '')
  try {
    const services = { storage, logger: createLogger('silent') }
    const owner = await createAccount(services, { email: `owner-ops37-${crypto.randomUUID().slice(0, 8)}@example.org`, name: 'Owner', password: `pw-${crypto.randomUUID()}`, isAdmin: true })
    if (!owner) throw new Error('account not made')
    return (await issueApiToken(services, owner.id, 'test')).token
  } finally {
    await storage.close()
  }
}
