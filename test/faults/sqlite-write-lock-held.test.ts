/**
 * SQLite's write lock held by another connection (an operator's open
 * transaction): each commit waits out the busy timeout and fails. The age of
 * the oldest uncommitted edit grows in the metrics and /readyz, the board
 * counts as failing and its clients are told, as over a slow link; once the
 * lock is let go, it all clears and the edits are stored.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { serverNotice } from '../helpers/server-notice.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

/** How long it may take to show, and to clear, while each commit waits out SQLite's 5 s busy timeout: bounds, not measurements. */
const DEADLINE_MS = 30_000

let server: TestServer | undefined
let holder: Database.Database | undefined

afterEach(async () => {
  holder?.close()
  holder = undefined
  await server?.destroy()
  server = undefined
})

const connect = clientsDestroyedAfterEach()

it('a held write lock: the oldest uncommitted edit’s age grows, the board counts as failing and the clients are told; all clears once it is let go', { timeout: 4 * DEADLINE_MS }, async () => {
  const running = await startTestServer({ env: { COMMIT_FAILING_NOTICE_MS: '500', COMMIT_RETRY_MAX_MS: '500', METRICS_TOKEN } })
  server = running
  const boardId = await apiClient(running.url).createBoard('Write lock held')
  const writer = connect(running.wsUrl, boardId)
  await writer.synced()
  const metric = async (name: string) => sample(await metricsText(running), name)

  holder = new Database(join(running.dataDir, SQLITE_FILE_NAME))
  holder.exec('BEGIN IMMEDIATE')
  addAssessment(writer.doc, { title: 'Typed while the lock is held' })
  await waitFor(() => serverNotice(writer)?.saving === 'failing', 'the writer to be told saving is failing', DEADLINE_MS)
  await waitFor(async () => (await metric('assay_oldest_uncommitted_seconds'))! >= 0.5, 'the oldest uncommitted edit’s age to show', DEADLINE_MS)
  expect(await metric('assay_boards_commit_failing')).toBe(1)
  const readiness = (await (await fetch(`${running.url}/readyz`)).json()) as { commits: { status: string; oldestUncommittedMs?: number } }
  expect(readiness.commits.status).toBe('failing')
  expect(readiness.commits.oldestUncommittedMs).toBeGreaterThanOrEqual(500)

  holder.exec('ROLLBACK')
  await waitFor(() => !serverNotice(writer), 'the notice to clear', DEADLINE_MS)
  await waitFor(async () => (await metric('assay_boards_commit_failing')) === 0, 'the board to count as failing no more', DEADLINE_MS)
  await running.services.rooms.loadedRooms.get(boardId)!.whenSaved()
  expect(await metric('assay_oldest_uncommitted_seconds')).toBe(0)
  expect(boardToModel(writer.doc, boardId).assessments.map((card) => card.title)).toEqual(['Typed while the lock is held'])
  expect((await storedBoard(running, boardId)).assessments.map((card) => card.title)).toEqual(['Typed while the lock is held'])
})
