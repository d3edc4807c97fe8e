/**
 * Commits that fail, as on a full disk, against the real server and real
 * providers: the edits stay in memory, retries back off up to a cap and are
 * logged, the state is there for readiness and metrics, the clients are told
 * once it has lasted, and when the disk has room again everything is
 * committed and nothing is lost.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { serverNotice } from './helpers/server-notice.ts'
import { AppendControl, diskFullError } from './helpers/append-control.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'
import { METRICS_TOKEN, metricsText } from './helpers/prometheus-text.ts'

let server: TestServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await server?.destroy()
})

it('failing commits back off, are logged and readable, tell the clients, and commit everything once the disk has room', async () => {
  const appends = new AppendControl()
  const logged: Record<string, unknown>[] = []
  server = await startTestServer({
    wrapStorage: appends.wrap,
    logSink: (line) => logged.push(JSON.parse(line) as Record<string, unknown>),
    env: { COMMIT_FAILING_NOTICE_MS: '300', COMMIT_RETRY_MAX_MS: '800', METRICS_TOKEN },
  })
  const boardId = await apiClient(server.url).createBoard('Disk full')
  const [a, b] = [connectClient(server.wsUrl, boardId), connectClient(server.wsUrl, boardId)]
  clients.push(a, b)
  await Promise.all([a.synced(), b.synced()])
  const room = server.services.rooms.loadedRooms.get(boardId)!
  const titles = (client: TestClient) => boardToModel(client.doc, boardId).assessments.map((x) => x.title).sort()

  appends.failWith(diskFullError())
  addAssessment(a.doc, { title: 'Written on a full disk' })
  addAssessment(b.doc, { title: 'Also on a full disk' })
  await waitFor(() => room.commitFailingSince !== null, 'the room to note its failing commits')
  expect(server.services.rooms.commitHealth()).toMatchObject({ failingRooms: 1, oldestFailingSince: room.commitFailingSince })

  await waitFor(() => serverNotice(a) && serverNotice(b), 'both clients to be told')
  // Since the first of the edits waiting arrived, which is before the commit that failed.
  const since = new Date(room.commitFailingSince!).toISOString()
  expect(serverNotice(a)).toEqual({ saving: 'failing', since })
  // Nothing unstored is shown: each client has only its own edit.
  expect(titles(a)).toEqual(['Written on a full disk'])
  expect(titles(b)).toEqual(['Also on a full disk'])

  const failures = () => logged.filter((line) => line.msg === 'commit failed; changes kept in memory, retrying')
  await waitFor(() => failures().length >= 5, 'several retries')
  const delays = failures().map((line) => line.retryInMs)
  expect(delays.slice(0, 4)).toEqual([200, 400, 800, 800])
  expect(failures()[0]).toMatchObject({ level: 50, boardId, err: 'database or disk is full' })
  addAssessment(a.doc, { title: 'Still on a full disk' })

  appends.failWith(null)
  const all = ['Also on a full disk', 'Still on a full disk', 'Written on a full disk']
  await waitFor(() => titles(a).length === 3 && titles(b).length === 3, 'every edit at both clients')
  expect(titles(a)).toEqual(all)
  await waitFor(() => !serverNotice(a) && !serverNotice(b), 'the notice to be cleared')
  expect(server.services.rooms.commitHealth()).toMatchObject({ failingRooms: 0, oldestFailingSince: null })
  expect(logged.some((line) => line.msg === 'commits succeed again')).toBe(true)
  const metrics = await metricsText(server)
  expect(Number(/^assay_commit_failures_total (\d+)$/m.exec(metrics)?.[1])).toBe(failures().length)

  await room.whenSaved()
  const stored = await server.services.storage.log.load(boardId)
  const fromStorage = new Y.Doc()
  if (stored.checkpoint) Y.applyUpdate(fromStorage, stored.checkpoint)
  for (const update of stored.updates) Y.applyUpdate(fromStorage, update)
  expect(boardToModel(fromStorage, boardId)).toEqual(boardToModel(a.doc, boardId))
  expect(Y.encodeStateVector(fromStorage)).toEqual(Y.encodeStateVector(a.doc))
  fromStorage.destroy()
})

it('answers HTTP reads and changes of a board whose commits fail at once with 503, and a change whose commit is slow with 202, losing nothing', async () => {
  const appends = new AppendControl()
  server = await startTestServer({ wrapStorage: appends.wrap, env: { COMMIT_WAIT_MS: '300' } })
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Disk full')
  const writer = connectClient(server.wsUrl, boardId)
  clients.push(writer)
  await writer.synced()
  const room = server.services.rooms.loadedRooms.get(boardId)!
  const storedTitles = async () => (await api.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)).body.assessments.map((x) => x.title).sort()

  appends.failWith(diskFullError())
  addAssessment(writer.doc, { title: 'Typed on a full disk' })
  await waitFor(() => room.commitFailingSince !== null, 'the room to note its failing commits')
  const read = await api.get<{ error: { code: string; message: string } }>(`/api/boards/${boardId}`)
  expect(read.status).toBe(503)
  expect(read.headers.get('retry-after')).toMatch(/^\d+$/)
  expect(read.body.error.code).toBe('commits_failing')
  expect(read.body.error.message).toMatch(/cannot be saved right now/)
  const refused = await api.post<{ error: { code: string } }>(`/api/boards/${boardId}/assessments`, { title: 'Refused while failing' })
  expect(refused.status).toBe(503)
  expect(refused.body.error.code).toBe('commits_failing')

  appends.failWith(null)
  await waitFor(() => room.commitFailingSince === null && room.isSaved, 'the commits to succeed again')
  expect(await storedTitles()).toEqual(['Typed on a full disk'])

  // A commit that hangs (a slow disk): the change is made and kept, and the request says so instead of waiting.
  appends.hold()
  const slow = await api.post<{ saving: string; message: string }>(`/api/boards/${boardId}/assessments`, { title: 'Made while the disk is slow' })
  expect(slow.status).toBe(202)
  expect(slow.body.saving).toBe('delayed')
  expect(slow.body.message).toMatch(/Do not send it again now/)
  const readWhileSlow = await api.get<{ error: { code: string } }>(`/api/boards/${boardId}`)
  expect(readWhileSlow.status).toBe(503)
  appends.release()
  await waitFor(() => room.isSaved, 'the slow commit to complete')
  expect(await storedTitles()).toEqual(['Made while the disk is slow', 'Typed on a full disk'])
  await waitFor(() => boardToModel(writer.doc, boardId).assessments.length === 2, 'the writer to receive the change made over HTTP')
})
