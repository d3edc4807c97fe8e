/**
 * PostgreSQL goes away under a running server, through a TCP proxy of the
 * test's own: cut (connections dropped, new ones refused) or blackholed (a
 * half-open network: nothing gets through and nothing says so). Meanwhile the
 * server answers 503 with Retry-After and a JSON error, refuses websocket
 * upgrades with 503, reports itself not ready, keeps every edit in memory,
 * and once the database is back it is ready again within seconds and has lost
 * nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { refusedUpgrade } from '../helpers/raw-socket.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startProxiedServer, type ProxiedServer } from '../helpers/proxied-server.ts'
import type { TcpProxy } from '../helpers/tcp-proxy.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Short deadlines, so that a lost database is noticed in a few seconds. */
const TIMEOUTS = { DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000', READINESS_TIMEOUT_MS: '500' }
/** How long the server may take to serve again once the database is back: a bound, not a measurement. */
const RECOVERY_MS = 15_000
/** An outage, a recovery and a restart: longer than most tests, on a loaded machine too. */
const TEST_MS = 60_000

type Readiness = { ready: boolean; storage: { status: string } }

describeUnless(postgresMissing)('PostgreSQL lost and back', () => {
  let proxied: ProxiedServer
  let proxy: TcpProxy
  let server: TestServer
  let api: ApiClient

  beforeEach(async () => {
    proxied = await startProxiedServer({ env: TIMEOUTS })
    ;({ proxy, server } = proxied)
    api = apiClient(() => server.url)
  })

  afterEach(() => proxied.destroy(server))

  const connectTo = clientsDestroyedAfterEach()
  const connect = (boardId: string) => connectTo(server.wsUrl, boardId)
  const judgmentOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments[0]?.judgment ?? ''

  /** A writer and an observer on a new board, the writer's first words committed (the observer has them). */
  async function editedBoard() {
    const boardId = await api.createBoard('Outage')
    const writer = connect(boardId)
    const observer = connect(boardId)
    await Promise.all([writer.synced(), observer.synced()])
    const assessmentId = addAssessment(writer.doc, { title: 'Outage', judgment: 'before ' })
    await waitFor(() => judgmentOf(observer, boardId) === 'before ', 'the first words at the observer')
    const type = (text: string) => {
      const judgment = assessmentText(writer.doc, assessmentId, 'judgment')
      judgment.insert(judgment.length, text)
    }
    return { boardId, writer, observer, type }
  }

  const readiness = () => api.get<Readiness>('/readyz')

  async function expectUnavailable(boardId: string) {
    // The first request to meet the outage finds it out; from then on every one is refused at once.
    const refused = await waitFor(async () => {
      const response = await api.get<{ error: { code: string; message: string } }>('/api/boards')
      return response.status === 503 ? response : null
    }, 'a 503 for a request needing the database')
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused.headers.get('content-type')).toContain('application/json')
    expect(refused.body.error.code).toBe('storage_unavailable')
    expect(refused.body.error.message).toMatch(/database/i)
    const write = await api.post<{ error: { code: string } }>('/api/boards', { title: 'During the outage' })
    expect(write.status).toBe(503)
    expect(write.body.error.code).toBe('storage_unavailable')
    expect(await refusedUpgrade(`${server.wsUrl}/${boardId}`)).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) })
    const notReady = await readiness()
    expect(notReady.status).toBe(503)
    expect(notReady.body.ready).toBe(false)
    expect(['unreachable', 'timeout']).toContain(notReady.body.storage.status)
    // Liveness is not readiness: the process itself is fine.
    expect((await api.get('/healthz')).status).toBe(200)
  }

  /** The database is back: ready again, every edit committed and relayed, and all of it stored. */
  async function expectRecovered(boardId: string, writer: TestClient, observer: TestClient) {
    await waitFor(async () => (await readiness()).status === 200, 'readiness once the database is back', RECOVERY_MS)
    expect((await api.get('/api/boards')).status).toBe(200)
    const written = judgmentOf(writer, boardId)
    await waitFor(() => judgmentOf(observer, boardId) === written, 'every edit committed and relayed', RECOVERY_MS)
    server = await server.restart()
    const reader = connect(boardId)
    await reader.synced()
    expect(judgmentOf(reader, boardId)).toBe(written)
  }

  it('answers 503 while the database is cut, and serves again without losing an edit once it is back', async () => {
    const { boardId, writer, observer, type } = await editedBoard()
    expect((await readiness()).body).toMatchObject({ ready: true, storage: { status: 'ok' } })

    proxy.cut()
    for (const word of ['typed ', 'while ', 'the ', 'database ', 'was ', 'gone ']) type(word)
    await expectUnavailable(boardId)
    type('still typing ')
    expect(judgmentOf(observer, boardId)).toBe('before ')

    proxy.restore()
    await expectRecovered(boardId, writer, observer)
    expect(judgmentOf(writer, boardId)).toBe('before typed while the database was gone still typing ')
  }, TEST_MS)

  it('gives up on a half-open connection instead of hanging, and recovers the same way', async () => {
    const { boardId, writer, observer, type } = await editedBoard()

    proxy.blackhole()
    type('into the void ')
    await expectUnavailable(boardId)
    expect(judgmentOf(observer, boardId)).toBe('before ')

    proxy.restore()
    await expectRecovered(boardId, writer, observer)
    expect(judgmentOf(writer, boardId)).toBe('before into the void ')
  }, TEST_MS)
})
