/**
 * PostgreSQL ends the server's sessions under it (pg_terminate_backend, as a
 * DBA, a failover, a pooler's restart or idle_session_timeout do), again and
 * again while a client types. The server process (a child of its own, so that
 * a crash shows as its exit) stays up, commits resume, and every edit a client
 * was shown as committed, and every other one, is read back after a restart.
 */
import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, openTestStorage, POSTGRES_URL, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** How long the sessions keep being terminated: without the fix the process died within a second or two of this. */
const STORM_MS = 3000
const TERMINATE_EVERY_MS = 100
const TYPE_EVERY_MS = 25
/**
 * Once the terminations stop, a failed commit is retried within this, so that
 * what the test waits for is the database, not the backoff: at its default of
 * 5 s, a full suite on two cores (where a connection may take over a second to
 * open) left room for only two attempts in the recovery below, and one run
 * timed out.
 */
const COMMIT_RETRY_MAX_MS = 1000
/** How long the server may take to commit everything once the terminations stop: a bound, not a measurement. */
const RECOVERY_MS = 30_000
/** A server process started (it migrates), the terminations and the recovery, on a loaded machine too. */
const TEST_MS = 90_000

describeUnless(postgresMissing)('PostgreSQL backends terminated under a running server', () => {
  let server: ChildServer | undefined
  let dataDir: string | undefined
  let database: string | undefined
  let admin: postgres.Sql | undefined

  afterEach(async () => {
    await server?.kill()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    await admin?.end()
    if (database) await dropDatabase(database)
  })
  const connect = clientsDestroyedAfterEach()
  const titlesOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title)

  it('stays up, and stores every edit once its sessions are left alone', async () => {
    database = freshDatabaseName()
    await createDatabase(database)
    dataDir = tempDir()
    // Compaction every few rows, so that its transactions meet the terminations too.
    const child = await startChildServer(dataDir, { DATABASE_URL: databaseUrl(database), DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '3000', COMMIT_RETRY_MAX_MS: String(COMMIT_RETRY_MAX_MS), COMPACT_AFTER_ROWS: '10', LOG_LEVEL: 'info' })
    server = child
    let stderr = ''
    child.process.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const boardId = await apiClient(child.url).createBoard('Terminated')
    const writer = connect(child.wsUrl, boardId)
    const observer = connect(child.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])

    const sessions = (admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} }))
    let terminated = 0
    let typed = 0
    const stormEnds = Date.now() + STORM_MS
    const terminating = (async () => {
      while (Date.now() < stormEnds) {
        // Only the sessions of this test's own database.
        const ended = await sessions`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database!} and pid <> pg_backend_pid()`
        terminated += ended.length
        await sleep(TERMINATE_EVERY_MS)
      }
    })()
    while (Date.now() < stormEnds) {
      addAssessment(writer.doc, { title: `assessment ${typed++}` })
      await sleep(TYPE_EVERY_MS)
    }
    await terminating
    const acknowledged = titlesOf(observer, boardId)

    const alive = () => child.process.exitCode === null && child.process.signalCode === null
    expect(alive(), `the server process exited: ${stderr}`).toBe(true)
    expect(terminated).toBeGreaterThanOrEqual(3)
    const written = titlesOf(writer, boardId)
    expect(written).toHaveLength(typed)
    await waitFor(() => titlesOf(observer, boardId).length === typed, 'every edit committed and relayed', RECOVERY_MS).catch((error: unknown) => {
      const commits = child.logs.filter((line) => line.includes('commit'))
      throw new Error(`${String(error)} (${titlesOf(observer, boardId).length} of ${typed}); the server's commit log:\n${commits.join('\n')}`)
    })
    expect(alive(), `the server process exited: ${stderr}`).toBe(true)

    // Killed, so that nothing more is written on the way out: what is read now was stored before.
    await child.kill('SIGKILL')
    const storage = await openTestStorage('postgres', dataDir, database)
    try {
      const stored = (await storedBoard({ services: { storage } }, boardId)).assessments.map((assessment) => assessment.title)
      expect(stored.sort()).toEqual([...written].sort())
      expect(stored).toEqual(expect.arrayContaining(acknowledged))
    } finally {
      await storage.close()
    }
  }, TEST_MS)
})
