/**
 * A request changing a board (an HTTP edit, an import, a restore) whose room
 * is unloaded as the server shuts down, right before its change is applied,
 * is answered 503 with Retry-After, nothing of it applied, and nothing is
 * logged as an unhandled error. The request is stopped deterministically at
 * its check of rights right before the change (its third read of who is
 * asking: once at its headers, once its body is in, once before the change), held there until the shutdown has unloaded the room. On
 * PostgreSQL an import stopped this way was answered 500 `internal`; and the
 * shutdown once closed every connection without waiting for the answer, so a
 * request let go late saw its connection cut ("fetch failed").
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import type { Access, CredentialRequest } from '../../server/access/access.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

/** A request with this header waits at the gate when its rights are checked right before its change (its third principal). */
const HELD = 'x-test-held-check'
/** Who is asking is read at the headers, once the body is in, and right before the change. */
const CHECK_BEFORE_CHANGE = 3

const article = (tag: string) => Array.from({ length: 4 }, (_, i) => `Report ${tag} ${i} says the depot burned at dusk. [citation: Wire ${tag}]`).join('\n\n')

/** Everyone an owner; a request carrying HELD waits at `checks` from its check right before the change on. */
function heldAccess(checks: Gate): () => Access {
  return () => {
    const open = openAccess(() => 'owner')
    const reads = new WeakMap<CredentialRequest, number>()
    return {
      ...open,
      async principal(request, options) {
        if (request.headers.has(HELD)) {
          const read = (reads.get(request) ?? 0) + 1
          reads.set(request, read)
          if (read >= CHECK_BEFORE_CHANGE) await checks.pass()
        }
        return open.principal(request, options)
      },
    }
  }
}

describeEachDialect(postgresMissing, 'a change whose board is unloaded by a shutdown on %s', (dialect) => {
  let server: TestServer
  let logs: string[]
  const checks = new Gate()
  afterEach(async () => {
    checks.release()
    await server.destroy()
  })

  async function boardWithContent(): Promise<{ api: ApiClient; held: ApiClient; base: string; snapshotId: string }> {
    logs = []
    server = await startTestServer({ dialect, access: heldAccess(checks), logSink: (line) => logs.push(line), env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Shut down mid-change')
    const base = `/api/boards/${boardId}`
    expect((await api.post(`${base}/import`, { text: article('one') })).status).toBe(200)
    const snapshot = await api.post<SnapshotSummary>(`${base}/snapshots`, { label: 'S' })
    expect((await api.post(`${base}/import`, { text: article('two') })).status).toBe(200)
    return { api, held: apiClient(server.url, { [HELD]: '1' }), base, snapshotId: snapshot.body.id }
  }

  /** Sends `change`, shuts the server down once it waits at its check, and lets it go on once its board is unloaded. */
  async function shutDownDuring(base: string, change: () => Promise<ApiResponse<{ error: { code: string } }>>) {
    const boardId = base.split('/').at(-1)!
    checks.hold()
    const answer = change()
    await waitFor(() => checks.waiting === 1, 'the change to wait at its check', 30_000)
    let closed = false
    const closing = server.close().finally(() => (closed = true))
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the shutdown to unload the board')
    // Let go once the shutdown waits for the request, or has ended without waiting (whose cut connection fails the test).
    await waitFor(() => closed || logs.some((line) => line.includes('answering the requests in flight')), 'the shutdown to wait for the request or end')
    checks.release()
    const answered = await answer
    await closing
    return answered
  }

  async function expectRefusedAndNothingApplied(base: string, before: BoardModel, answered: ApiResponse<{ error: { code: string } }>) {
    expect(answered.status).toBe(503)
    expect(answered.body.error.code).toBe('shutting_down')
    expect(answered.headers.get('retry-after')).toBe('5')
    expect(logs.filter((line) => line.includes('unhandled error'))).toEqual([])
    server = await server.restart()
    expect((await apiClient(server.url).get<BoardModel>(base)).body).toEqual(before)
  }

  it('an HTTP edit', async () => {
    const { api, held, base } = await boardWithContent()
    const before = (await api.get<BoardModel>(base)).body
    const answered = await shutDownDuring(base, () => held.post(`${base}/assessments`, { title: 'Too late' }))
    await expectRefusedAndNothingApplied(base, before, answered)
  }, 120_000)

  it('an import', async () => {
    const { api, held, base } = await boardWithContent()
    const before = (await api.get<BoardModel>(base)).body
    const answered = await shutDownDuring(base, () => held.post(`${base}/import`, { text: article('three') }))
    await expectRefusedAndNothingApplied(base, before, answered)
  }, 120_000)

  it('a restore', async () => {
    const { api, held, base, snapshotId } = await boardWithContent()
    const before = (await api.get<BoardModel>(base)).body
    const answered = await shutDownDuring(base, () => held.post(`${base}/snapshots/${snapshotId}/restore`))
    await expectRefusedAndNothingApplied(base, before, answered)
  }, 120_000)
})
