/**
 * An HTTP change answered 202 (its commit slower than COMMIT_WAIT_MS: here
 * the update log's appends held, as on a stalled disk) is kept in the
 * held-changes spool before it is answered; a shutdown before it is saved
 * names it at error level, by board, route and account, as kept for the next
 * start, apart from the websocket edits its clients keep. A change the spool
 * cannot keep (full, or its folder unwritable) is answered 503
 * outcome_unknown, never promised.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { AppendControl } from '../helpers/append-control.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: TestServer | undefined
const appends = new AppendControl()

afterEach(async () => {
  appends.release()
  await server?.destroy()
})

async function heldServer(env: Record<string, string>, logged: Record<string, unknown>[] = []) {
  server = await startTestServer({
    accounts: true,
    wrapStorage: appends.wrap,
    env: { COMMIT_WAIT_MS: '300', SHUTDOWN_TIMEOUT_MS: '500', ...env },
    logSink: (line) => logged.push(JSON.parse(line) as Record<string, unknown>),
  })
  const analyst = await addAccount(server)
  const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, analyst)).token}` })
  return { server, analyst, api }
}

it('the 202 promises the change is kept across a restart, and a shutdown that leaves it unsaved names it at error level', async () => {
  const logged: Record<string, unknown>[] = []
  const { server, analyst, api } = await heldServer({}, logged)
  const boardId = await api.createBoard('Disk stalled')

  appends.hold()
  const held = await api.post<{ saving: string; message: string }>(`/api/boards/${boardId}/assessments`, { title: 'Held on disk' })
  expect(held.status).toBe(202)
  expect(held.body.saving).toBe('delayed')
  expect(held.body.message).toMatch(/kept on this server’s disk/)
  expect(held.body.message).toMatch(/or when this server next starts should it restart before then/)
  expect(held.body.message).toMatch(/check the board later, and send it again only if it is missing/)
  const spool = join(server.dataDir, 'held-changes')
  expect(readdirSync(spool).filter((name) => name.endsWith('.held'))).toHaveLength(1)

  await server.close()
  const dropped = logged.filter((entry) => entry.level === 50 && String(entry.msg).includes('HTTP changes'))
  expect(dropped).toHaveLength(1)
  expect(dropped[0]).toMatchObject({ boardId, changes: [{ route: '/api/boards/:id/assessments', accountId: analyst.id }] })
  expect(String(dropped[0]!.msg)).toMatch(/kept in DATA_DIR\/held-changes and stored when a server next starts/)
  const websocketEdits = logged.filter((entry) => entry.level === 40 && String(entry.msg).includes('websocket clients keep them'))
  expect(websocketEdits).toHaveLength(1)
  // The shutdown leaves it for the next start.
  expect(readdirSync(spool).filter((name) => name.endsWith('.held'))).toHaveLength(1)
}, 60_000)

it('a change past HELD_CHANGES_MAX is answered 503 outcome_unknown, not 202, and its file is removed once the commit lands', async () => {
  const { server, api } = await heldServer({ HELD_CHANGES_MAX: '1' })
  const first = await api.createBoard('First')
  const second = await api.createBoard('Second')

  appends.hold()
  expect((await api.post(`/api/boards/${first}/assessments`, { title: 'Kept' })).status).toBe(202)
  const over = await api.post<{ error: { code: string; message: string } }>(`/api/boards/${second}/assessments`, { title: 'Not kept' })
  expect(over.status).toBe(503)
  expect(over.body.error.code).toBe('outcome_unknown')
  expect(over.body.error.message).toMatch(/it may or may not be stored/)
  const spool = join(server.dataDir, 'held-changes')
  expect(readdirSync(spool).filter((name) => name.endsWith('.held'))).toHaveLength(1)

  appends.release()
  await waitFor(() => readdirSync(spool).filter((name) => name.endsWith('.held')).length === 0, 'the spool file removed once its change is saved')
}, 60_000)

it('a change whose spool file cannot be written is answered 503 outcome_unknown, not 202', async () => {
  const { server, api } = await heldServer({})
  const boardId = await api.createBoard('Unwritable spool')
  // A regular file where the spool's folder goes: no file can be made in it.
  writeFileSync(join(server.dataDir, 'held-changes'), '')

  appends.hold()
  const answer = await api.post<{ error: { code: string } }>(`/api/boards/${boardId}/assessments`, { title: 'Not kept' })
  expect(answer.status).toBe(503)
  expect(answer.body.error.code).toBe('outcome_unknown')
}, 60_000)

