/**
 * A request still being worked out when the shutdown's deadline passes (here
 * an export of the board as of a moment, held where its rebuild starts) is
 * answered 503 `shutting_down` with Retry-After, not cut with no answer, and
 * the log names it by method and route, never by its path or query.
 */
import { afterEach, expect, it } from 'vitest'
import { Gate } from '../helpers/gate.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: TestServer | undefined
const gate = new Gate()
afterEach(async () => {
  gate.release()
  await server?.destroy()
})

it('answers a request still in flight at the deadline 503 shutting_down with Retry-After, and logs its route', async () => {
  const logged: string[] = []
  server = await startTestServer({
    access: () => openAccess(),
    env: { SHUTDOWN_TIMEOUT_MS: '300' },
    logSink: (line) => logged.push(line),
    wrapStorage: (storage) => gateHistoryReads(storage, { startAt: () => gate.pass() }),
  })
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Exported as the server stops')
  const moment = new Date().toISOString()
  gate.hold()
  const exporting = fetch(`${server.url}/api/boards/${boardId}/export?format=md&asOf=${encodeURIComponent(moment)}`)
  await waitFor(() => gate.waiting === 1, 'the export to be held')

  const closing = server.close()
  const answer = await exporting
  expect(answer.status).toBe(503)
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
  expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('shutting_down')
  await closing

  const abandoned = logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === 40 && String(entry.msg).includes('abandoned'))
  expect(abandoned).toHaveLength(1)
  expect(abandoned[0]).toMatchObject({ method: 'GET', route: '/api/boards/:id/export' })
  expect(JSON.stringify(abandoned[0])).not.toContain(boardId)
  expect(JSON.stringify(abandoned[0])).not.toContain('asOf')
}, 60_000)
