/**
 * DATA_DIR taken away from a running SQLite server. SQLite keeps writing the
 * file it has open, unlinked or not, so without a check every edit after the
 * removal was acknowledged and lost at the next start (red team 23b: 50 of 50).
 * Removed: no edit is acknowledged any more, the server is not ready, an HTTP
 * write answers 503, and the log names the file. Moved away and back: the
 * edits made meanwhile are committed once it is back, nothing lost.
 */
import { renameSync, rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

type Readiness = { ready: boolean; storage: { status: string }; commits: { status: string } }
type ErrorBody = { error: { code: string } }

/** How long the server may take to commit what waited once the file is back (its retries back off): a bound, not a measurement. */
const RECOVERY_MS = 30_000

const connect = clientsDestroyedAfterEach()
const titlesOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title)
const readiness = async (api: ApiClient) => (await api.get<Readiness>('/readyz')).body

describe('the SQLite database file taken away from a running server', () => {
  let current: TestServer | undefined
  let movedTo: string | undefined
  afterEach(async () => {
    if (movedTo) rmSync(movedTo, { recursive: true, force: true })
    movedTo = undefined
    await current?.destroy()
    current = undefined
  })

  /** A server logging to `logs`, a writer and an observer on a board, the first assessment acknowledged (the observer has it). */
  async function editing(logs: string[]) {
    const server = await startTestServer({ logSink: (line) => logs.push(line) })
    current = server
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Data folder')
    const writer = connect(server.wsUrl, boardId)
    const observer = connect(server.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])
    addAssessment(writer.doc, { title: 'stored', judgment: '' })
    await waitFor(() => titlesOf(observer, boardId).length === 1, 'the first assessment acknowledged')
    return { server, api, boardId, writer, observer }
  }

  it('removed: acknowledges no edit after, is not ready, refuses writes with 503 and logs the file', async () => {
    const logs: string[] = []
    const { server, api, boardId, writer, observer } = await editing(logs)

    rmSync(server.dataDir, { recursive: true, force: true })
    for (const title of ['after 1', 'after 2']) addAssessment(writer.doc, { title, judgment: '' })
    await waitFor(async () => !(await readiness(api)).ready, 'the server to report itself not ready')
    expect(await readiness(api)).toMatchObject({ ready: false, storage: { status: 'unreachable' }, commits: { status: 'failing' } })
    expect(titlesOf(observer, boardId)).toEqual(['stored'])
    expect(titlesOf(writer, boardId)).toEqual(['stored', 'after 1', 'after 2'])

    const refused = await api.post<ErrorBody>('/api/boards', { title: 'Nowhere to keep this' })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    const gone = logs.filter((line) => line.includes('the SQLite database file is gone'))
    expect(gone).toHaveLength(1)
    expect(gone[0]).toContain(`${server.dataDir}/assay.db was removed`)
    expect(titlesOf(observer, boardId)).toEqual(['stored'])
  }, 60_000)

  it('moved away and back: what was edited meanwhile is committed once it is back', async () => {
    const logs: string[] = []
    const { server, api, boardId, writer, observer } = await editing(logs)

    movedTo = `${server.dataDir}-away`
    renameSync(server.dataDir, movedTo)
    addAssessment(writer.doc, { title: 'while away', judgment: '' })
    await waitFor(async () => !(await readiness(api)).ready, 'the server to report itself not ready')
    expect(titlesOf(observer, boardId)).toEqual(['stored'])

    renameSync(movedTo, server.dataDir)
    movedTo = undefined
    await waitFor(() => titlesOf(observer, boardId).length === 2, 'the edit committed once the file is back', RECOVERY_MS)
    await waitFor(async () => (await readiness(api)).ready, 'the server ready again')
    expect(logs.filter((line) => line.includes('the SQLite database file is back'))).toHaveLength(1)
    const restarted = await server.restart()
    current = restarted
    const reader = connect(restarted.wsUrl, boardId)
    await reader.synced()
    expect(titlesOf(reader, boardId).sort()).toEqual(['stored', 'while away'])
  }, 60_000)
})
