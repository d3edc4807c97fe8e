/**
 * SIGTERM while the database is unreachable: the server process (a child of
 * its own, stopped as `assay serve` stops) exits within its shutdown deadline
 * instead of waiting forever for commits, closes its sockets with 1001, and
 * the edits it could not commit reach the next server from the client that
 * made them.
 */
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const SHUTDOWN_TIMEOUT_MS = 3000
/** Exiting later than the deadline plus this is a failure: a correctness bound, not a measurement. */
const EXIT_MARGIN_MS = 4000
/** Two server processes started, a shutdown and the clients' reconnection: longer than most tests, on a loaded machine too. */
const TEST_MS = 90_000

describeUnless(postgresMissing)('shutting down while the database is unreachable', () => {
  const children: ChildServer[] = []
  const folders: string[] = []
  let proxy: TcpProxy | undefined
  let database: string | undefined

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill()
    await proxy?.close()
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
    if (database) await dropDatabase(database)
  })

  const start = async (env: Record<string, string>) => {
    const folder = tempDir()
    folders.push(folder)
    const child = await startChildServer(folder, { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000', ...env })
    children.push(child)
    return child
  }
  const connect = clientsDestroyedAfterEach()
  const judgmentOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments[0]?.judgment ?? ''

  it('exits within its deadline, and the edits it could not commit reach the next server from their client', async () => {
    database = freshDatabaseName()
    await createDatabase(database)
    const direct = new URL(databaseUrl(database))
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) })
    const proxied = new URL(direct)
    proxied.port = String(proxy.port)
    const first = await start({ DATABASE_URL: proxied.toString() })
    const boardId = await apiClient(first.url).createBoard('Shutdown')
    const writer = connect(first.wsUrl, boardId)
    const observer = connect(first.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])
    const assessmentId = addAssessment(writer.doc, { title: 'Shutdown', judgment: 'saved ' })
    await waitFor(() => judgmentOf(observer, boardId) === 'saved ', 'the first words committed')
    const closeCodes: number[] = []
    writer.provider.on('connection-close', (event) => {
      if (event) closeCodes.push(event.code)
    })

    proxy.cut()
    const judgment = assessmentText(writer.doc, assessmentId, 'judgment')
    judgment.insert(judgment.length, 'never committed by the first server')
    const signalled = performance.now()
    first.process.kill('SIGTERM')
    const exit = await first.exited
    const tookMs = performance.now() - signalled

    expect(exit).toEqual({ code: 0, signal: null })
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS)
    expect(closeCodes).toContain(CLOSE.serverShutdown.code)
    expect(judgmentOf(observer, boardId)).toBe('saved ')

    // The next server, on the same address with the database reachable: the clients reconnect by themselves.
    proxy.restore()
    await start({ DATABASE_URL: direct.toString(), PORT: new URL(first.url).port })
    const written = 'saved never committed by the first server'
    await waitFor(() => judgmentOf(observer, boardId) === written, 'the unsent edit relayed by the next server', 20_000)
    const second = children.at(-1)!
    const reader = connect(second.wsUrl, boardId)
    await reader.synced()
    expect(judgmentOf(reader, boardId)).toBe(written)
  }, TEST_MS)
})
