/**
 * An HTTP change answered 202 (its commit slower than COMMIT_WAIT_MS: here
 * the update log's appends held, as on a stalled disk) is held in the
 * server's memory alone. The 202 says so, and that a restart before it is
 * saved loses it; a shutdown that drops it names it at error level, by board,
 * route and account, apart from the websocket edits its clients keep.
 */
import { afterEach, expect, it } from 'vitest'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { AppendControl } from '../helpers/append-control.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer | undefined
const appends = new AppendControl()

afterEach(async () => {
  appends.release()
  await server?.destroy()
})

it('the 202 does not promise a restart keeps the change, and a shutdown that drops it names it at error level', async () => {
  const logged: Record<string, unknown>[] = []
  server = await startTestServer({
    accounts: true,
    wrapStorage: appends.wrap,
    env: { COMMIT_WAIT_MS: '300', SHUTDOWN_TIMEOUT_MS: '500' },
    logSink: (line) => logged.push(JSON.parse(line) as Record<string, unknown>),
  })
  const analyst = await addAccount(server)
  const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, analyst)).token}` })
  const boardId = await api.createBoard('Disk stalled')

  appends.hold()
  const held = await api.post<{ saving: string; message: string }>(`/api/boards/${boardId}/assessments`, { title: 'Held in memory' })
  expect(held.status).toBe(202)
  expect(held.body.saving).toBe('delayed')
  expect(held.body.message).toMatch(/held in this server’s memory/)
  expect(held.body.message).toMatch(/lost should the server restart/)
  expect(held.body.message).toMatch(/check the board later, and send it again only if it is missing/)

  await server.close()
  const dropped = logged.filter((entry) => entry.level === 50 && String(entry.msg).includes('HTTP changes'))
  expect(dropped).toHaveLength(1)
  expect(dropped[0]).toMatchObject({ boardId, changes: [{ route: '/api/boards/:id/assessments', accountId: analyst.id }] })
  const websocketEdits = logged.filter((entry) => entry.level === 40 && String(entry.msg).includes('websocket clients keep them'))
  expect(websocketEdits).toHaveLength(1)
}, 60_000)
