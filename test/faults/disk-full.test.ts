/**
 * The disk fills up under a running SQLite server. Commits fail and are
 * retried with the edits kept in memory; writes over HTTP get 503 with
 * Retry-After while reads are still served; /readyz reports the failing
 * commits; the process stays up (the WAL checkpoint worker included); and once
 * space returns everything commits without a restart and nothing acknowledged
 * is lost. Twice: with a storage that fails writes the way SQLite does on a
 * full disk (runs anywhere), and on a real 8 MiB tmpfs filled by real clients
 * (needs root, as CI has).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { withDeadline } from '../../server/health/deadline.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { FullDisk, mountSmallDisk, type SmallDisk } from '../helpers/full-disk.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from '../helpers/yjs-client.ts'

const tmpfsMissing = await missingServices('tmpfs')

/** How long the server may take to commit everything once space returns: a bound, not a measurement. */
const RECOVERY_MS = 30_000
/** A server process started twice, a disk filled by real clients and emptied: longer than most tests, on a loaded machine too. */
const REAL_DISK_TEST_MS = 180_000
/** The server's own shutdown deadline (10 s) with room to spare. */
const SHUTDOWN_MS = 20_000

type Readiness = { ready: boolean; storage: { status: string }; commits: { status: string; failingBoards: number } }
type ErrorBody = { error: { code: string; message: string } }

const connect = clientsDestroyedAfterEach()
const titlesOf = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title)

/** Letters only, so that every character takes a byte and nothing compresses. */
function noise(length: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  return Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]).join('')
}

/**
 * While the disk is full: the failing board refuses HTTP changes with 503 (nothing applied), other
 * reads are served, readiness reports the failing commits. Whether some other small write still fits
 * in a real disk's last free pages (or the WAL's reused ones) is the disk's business, so only the
 * failing board's answers are checked there.
 */
async function expectFullDiskAnswers(api: ApiClient, failingBoardId: string) {
  const refused = await api.post<ErrorBody>(`/api/boards/${failingBoardId}/assessments`, { title: 'No room for this' })
  expect(refused.status).toBe(503)
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
  expect(refused.body.error.code).toBe('commits_failing')
  expect(refused.body.error.message).toMatch(/full/)
  expect((await api.get('/api/boards')).status).toBe(200)
  expect((await api.get('/healthz')).status).toBe(200)
  const readiness = await api.get<Readiness>('/readyz')
  expect(readiness.body.storage.status).toBe('ok')
  expect(readiness.body.commits).toMatchObject({ status: 'failing', failingBoards: 1 })
}

const commitsFailing = async (api: ApiClient) => (await api.get<Readiness>('/readyz')).body.commits.status === 'failing'

describe('a disk that is full, as SQLite reports it', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.destroy()
  })

  it('keeps every edit in memory, refuses writes with 503, and commits it all once space returns', async () => {
    const disk = new FullDisk()
    server = await startTestServer({ wrapStorage: disk.wrap })
    const api = apiClient(() => server!.url)
    const boardId = await api.createBoard('Full disk')
    const writer = connect(server.wsUrl, boardId)
    const observer = connect(server.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])
    addAssessment(writer.doc, { title: 'stored', judgment: '' })
    await waitFor(() => titlesOf(observer, boardId).length === 1, 'the first assessment committed')

    disk.full = true
    for (const title of ['kept 1', 'kept 2', 'kept 3']) addAssessment(writer.doc, { title, judgment: '' })
    await waitFor(() => commitsFailing(api), 'readiness to report the failing commits')
    await expectFullDiskAnswers(api, boardId)
    const refused = await api.post<ErrorBody>('/api/boards', { title: 'No room for this' })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused.body.error).toMatchObject({ code: 'storage_unavailable', message: expect.stringMatching(/full/) })
    expect(titlesOf(observer, boardId)).toEqual(['stored'])

    disk.full = false
    await waitFor(() => titlesOf(observer, boardId).length === 4, 'every edit committed once space returns', RECOVERY_MS)
    expect((await api.get<Readiness>('/readyz')).body.commits.status).toBe('ok')
    server = await server.restart()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(titlesOf(reader, boardId).sort()).toEqual(['kept 1', 'kept 2', 'kept 3', 'stored'])
  })
})

describeUnless(tmpfsMissing)('a real disk that fills up (8 MiB tmpfs)', () => {
  let disk: SmallDisk | undefined
  const children: ChildServer[] = []
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill()
    disk?.unmount()
  })

  it('stays up, checkpoint worker included, and commits everything once space returns', async () => {
    disk = mountSmallDisk(8)
    const start = async () => {
      const child = await startChildServer(disk!.path, { LOG_LEVEL: 'info' })
      children.push(child)
      return child
    }
    const first = await start()
    const api = apiClient(first.url)
    const boardId = await api.createBoard('Full disk')
    const writer = connect(first.wsUrl, boardId)
    const observer = connect(first.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])

    disk.fill(512 * 1024)
    // Assessments of 10 kB each until the disk is full and commits fail: each one acknowledged until then.
    let added = 0
    while (!(await commitsFailing(api))) {
      expect(added).toBeLessThan(500)
      addAssessment(writer.doc, { title: `assessment ${added}`, judgment: noise(10_000) })
      added++
      await waitFor(async () => titlesOf(observer, boardId).length === added || (await commitsFailing(api)), 'the assessment committed, or commits failing')
    }
    const acknowledged = titlesOf(observer, boardId)
    expect(acknowledged.length).toBeLessThan(added)
    for (let more = 0; more < 3; more++) addAssessment(writer.doc, { title: `while full ${more}`, judgment: noise(10_000) })
    await waitFor(() => first.logs.some((line) => line.includes('WAL checkpoint failed')), 'the checkpoint worker to meet the full disk')
    await expectFullDiskAnswers(api, boardId)
    expect(first.process.exitCode).toBeNull()

    disk.empty()
    const written = titlesOf(writer, boardId)
    await waitFor(() => titlesOf(observer, boardId).length === written.length, 'every edit committed once space returns', RECOVERY_MS)
    expect((await api.get<Readiness>('/readyz')).body.commits.status).toBe('ok')
    expect(first.process.exitCode).toBeNull()

    first.process.kill('SIGTERM')
    expect(await withDeadline(first.exited, SHUTDOWN_MS, 'the first server to exit on SIGTERM')).toEqual({ code: 0, signal: null })
    const second = await start()
    const reader = connect(second.wsUrl, boardId)
    await reader.synced()
    expect(titlesOf(reader, boardId).sort()).toEqual([...written].sort())
    expect(titlesOf(reader, boardId)).toEqual(expect.arrayContaining(acknowledged))
  }, REAL_DISK_TEST_MS)
})
