/**
 * The serving lock of a SQLite database is a lock on the file
 * DATA_DIR/assay-serving.lock. Deleted under a running server (a routine
 * clean-up of a "stale" lock file), the next command created a new file and
 * took an uncontested lock on it: `assay import` wrote 20 claims to the log
 * behind the server, which live clients never saw until a restart. A command
 * that writes boards is now refused while another process has the database
 * open, whatever the lock file says, and the server takes the lock on the new
 * file as soon as it sees its own is gone. A real server in a process of its
 * own, and the real command line.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { trySqliteServingLock } from '../../server/storage/sqlite-serving-lock.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { runCli, type CliRun } from '../helpers/run-cli.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const TEST_TIMEOUT_MS = 180_000
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
  const alone = trySqliteServingLock(dataDir, 'exclusive')
  await alone?.release()
  expect(alone).toBeNull()
})
