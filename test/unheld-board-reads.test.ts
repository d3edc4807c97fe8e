/**
 * Reading the live board (`GET /api/boards/:id`, its checks) while nobody has
 * it open on the instance: the board is not loaded for a read, so its model
 * was worked out afresh on every request, from the whole stored log and in a
 * worker job, nothing shared between readers and nothing counted against the
 * reader. Four loops of one member on a 14 MB board took an honest editor's
 * round trip on another board from 29 to 901 ms (p50) on PostgreSQL and sent
 * 714 MB in 18 s. Now the answer is kept until the log's newest rows change
 * (on any instance), shared by the readers asking meanwhile, within a person's
 * and the instance's costly reads, and what it loads (or sends) counts against
 * what the reader may load a minute. A gate in front of the board's log loads
 * holds them for as long as the test needs, and counts those that reach the
 * database. On SQLite and PostgreSQL, and across two instances on PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { ChecksReport } from '../shared/checks-report.ts'
import type { BoardModel } from '../shared/board-model.ts'
import type { Storage } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient, type ApiClient, type ApiResponse } from './helpers/api.ts'
import { Gate } from './helpers/gate.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { wordsText } from './helpers/large-inputs.ts'
import { metricsText, METRICS_TOKEN, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, describeUnless, missingServices } from './helpers/services.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')
const instancesMissing = await missingServices('postgres', 'redis')

type ErrorBody = { error: { code: string } }

/** Counts the loads of one board's whole log that reach the database, and holds them at a gate while it is shut. */
class LogLoads {
  readonly gate = new Gate()
  boardId = ''
  count = 0

  readonly wrap = (storage: Storage): Storage => {
    const { log } = storage
    return {
      ...storage,
      log: Object.assign(Object.create(log) as typeof log, {
        load: async (boardId: string) => {
          if (boardId === this.boardId) {
            this.count++
            await this.gate.pass()
          }
          return log.load(boardId)
        },
      }),
    }
  }
}

/** An owner's board of `claims` claims of 20,000 characters, closed (ROOM_IDLE_MS 0 unloads it once nobody holds it), with a reviewer. */
async function closedBoard(server: TestServer, claims: number) {
  const ownerAccount = await addAccount(server, { name: 'Olga Owner' })
  const ownerAuthorization = { authorization: `Bearer ${(await addToken(server, ownerAccount)).token}` }
  const owner = apiClient(server.url, ownerAuthorization)
  const boardId = await owner.createBoard('Wagner mutiny — Vilnius')
  const rita = await addAccount(server, { name: 'Rita Reviewer' })
  await addMember(server, boardId, rita, 'reviewer')
  const reviewer = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, rita)).token}` })
  const source = await owner.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Telegram channel', kind: 'social', reliability: 'C' })
  const operations = Array.from({ length: claims }, (_, i) => ({ op: 'add', collection: 'claims', input: { text: wordsText(20_000, i), sourceId: source.body.id, credibility: 3 } }))
  expect((await owner.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
  await closed(server, boardId)
  return { owner, ownerAuthorization, reviewer, boardId }
}

/** Resolves once the board's room is unloaded here: a read of it is then one nobody holds. */
function closed(server: TestServer, boardId: string): Promise<boolean> {
  return waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board to be unloaded')
}

async function workedOut(server: TestServer, job: 'read-board' | 'check-version'): Promise<number> {
  return sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job, outcome: 'done' }) ?? 0
}

function expectRefused(answer: ApiResponse<unknown>, code: string): void {
  expect(answer.status).toBe(429)
  expect(answer.headers.get('retry-after')).toBe('5')
  expect((answer.body as ErrorBody).error.code).toBe(code)
}

describeEachDialect(postgresMissing, 'reads of a board nobody has open on %s', (dialect) => {
  const loads = new LogLoads()
  let server: TestServer

  afterEach(async () => {
    loads.gate.release()
    loads.count = 0
    await server.destroy()
  })

  const start = (env: Record<string, string> = {}) =>
    startTestServer({ dialect, accounts: true, wrapStorage: loads.wrap, env: { ROOM_IDLE_MS: '0', METRICS_TOKEN, WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 32), ...env } })

  it('reads the log once for every reader until the board changes, shares it with readers asking meanwhile, and answers every change committed before', async () => {
    server = await start()
    const { owner, reviewer, boardId } = await closedBoard(server, 3)
    loads.boardId = boardId
    const path = `/api/boards/${boardId}`

    // Held at the database: of the reviewer's eight reads at once, their share (two) waits on one load of the log with the
    // owner's two; the rest are refused at once.
    loads.gate.hold()
    const flood = Array.from({ length: 8 }, () => reviewer.get<BoardModel>(path))
    const refused: ApiResponse<unknown>[] = []
    for (const answer of flood) void answer.then((done) => done.status === 429 && refused.push(done))
    await waitFor(() => refused.length === 6, 'the reads past the share to be refused')
    for (const answer of refused) expectRefused(answer, 'too_many_history_reads')
    const fired = [...flood, owner.get<BoardModel>(path), owner.get<BoardModel>(path)]
    await waitFor(() => loads.gate.waiting === 1, 'the first read to reach the log')
    const shared = async () => sample(await metricsText(server), 'assay_history_reads_shared_total', { kind: 'live-model' }) ?? 0
    await waitFor(async () => (await shared()) === 3, 'the other reads to join the first')
    loads.gate.release()
    const answers = (await Promise.all(fired)).filter((answer) => answer.status === 200)
    expect(answers).toHaveLength(4)
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1)
    expect(answers[0]!.body.claims).toHaveLength(3)
    expect(loads.count).toBe(1)

    // Read again and again, by one member one after another and by the checks: the log is not read again for the model.
    const jobsBefore = await workedOut(server, 'read-board')
    for (let i = 0; i < 8; i++) {
      const again = await reviewer.get<BoardModel>(path)
      expect(again.status).toBe(200)
      expect(JSON.stringify(again.body)).toBe(JSON.stringify(answers[0]!.body))
    }
    const checks = await Promise.all([0, 1].map(() => reviewer.get<ChecksReport>(`${path}/checks`)))
    expect(checks.map((answer) => answer.status)).toEqual([200, 200])
    for (let i = 0; i < 4; i++) expect((await reviewer.get(`${path}/checks`)).status).toBe(200)
    expect(await workedOut(server, 'read-board')).toBe(jobsBefore)
    expect(await workedOut(server, 'check-version')).toBe(1)
    expect(loads.count).toBe(2)
    expect(server.services.rooms.loadedRooms.has(boardId)).toBe(false)

    // A change committed (its room loaded and unloaded again) is in the next read, worked out once more, and then kept.
    const source = answers[0]!.body.sources[0]!
    expect((await owner.post(`${path}/claims`, { text: 'Convoy turned back at Rostov', sourceId: source.id, credibility: 2 })).status).toBe(201)
    await closed(server, boardId)
    for (let i = 0; i < 4; i++) expect((await reviewer.get<BoardModel>(path)).body.claims.map((claim) => claim.text)).toContain('Convoy turned back at Rostov')
    expect(await workedOut(server, 'read-board')).toBe(jobsBefore + 1)
  }, 60_000)

  it('computes reads of boards nobody has open in a lane of its own, of which one person holds at most one of two slots', async () => {
    server = await start()
    const { owner, reviewer, boardId } = await closedBoard(server, 1)
    loads.boardId = boardId
    const path = `/api/boards/${boardId}`

    // Held at the database, one read at a time: a read computed past its share passes the gate, so it shows.
    loads.gate.hold(1)
    const held = [owner.get(path)]
    await waitFor(() => loads.gate.waiting === 1, 'the owner’s read to reach the log')
    // The owner's second different read would take the lane's last slot, kept for someone computing none.
    expectRefused(await owner.get(`${path}/checks`), 'history_reads_busy')
    loads.gate.hold(1)
    held.push(reviewer.get(`${path}/checks`))
    await waitFor(() => loads.gate.waiting === 2, 'the reviewer’s read to reach the log')
    // The lane is full: a third different read is refused, whoever asks.
    expectRefused(await reviewer.get(`${path}/checks?scope=final`), 'history_reads_busy')

    loads.gate.release()
    expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([200, 200])
    expect((await owner.get(`${path}/checks`)).status).toBe(200)
  }, 60_000)

  it('counts what a read loads or sends against what the reader may load a minute, and refuses them past it while others are served', async () => {
    server = await start({ LOADED_BYTES_PER_MINUTE_PER_PERSON: '65536' })
    const { owner, reviewer, boardId } = await closedBoard(server, 2)
    const path = `/api/boards/${boardId}`
    const sent: ApiResponse<unknown>[] = []
    while (sent.length < 12 && sent.at(-1)?.status !== 429) sent.push(await reviewer.get(path))
    expectRefused(sent.at(-1)!, 'loading_too_much')
    // Each read of the 40 KB board counts; refused past the minute's 64 KB, give or take a read's refill, not sooner.
    expect(sent.length).toBeGreaterThanOrEqual(3)
    expect(sent.slice(0, -1).every((answer) => answer.status === 200)).toBe(true)
    expectRefused(await reviewer.get(`${path}/checks`), 'loading_too_much')
    // Another person is served.
    expect((await owner.get(path)).status).toBe(200)
  }, 60_000)
})

describeUnless(instancesMissing)('reads of a board nobody has open, across instances on PostgreSQL', () => {
  const { start } = instancesAfterEach()

  it('are never served what was kept from before another instance committed a change', async () => {
    const env = { ROOM_IDLE_MS: '0', METRICS_TOKEN }
    const one = await start({ accounts: true, env })
    const two = await start({ accounts: true, database: one.database, env })
    const { owner, ownerAuthorization, boardId } = await closedBoard(one, 1)
    const onTwo: ApiClient = apiClient(two.url, ownerAuthorization)
    const path = `/api/boards/${boardId}`

    for (let i = 0; i < 4; i++) expect((await onTwo.get<BoardModel>(path)).body.title).toBe('Wagner mutiny — Vilnius')
    expect(await workedOut(two, 'read-board')).toBe(1)

    // Changed on the first instance; the second, holding no room, reads the change in its next answer.
    expect((await owner.patch(path, { title: 'Changed elsewhere' })).status).toBe(200)
    await closed(one, boardId)
    for (let i = 0; i < 4; i++) expect((await onTwo.get<BoardModel>(path)).body.title).toBe('Changed elsewhere')
    expect(await workedOut(two, 'read-board')).toBe(2)
    expect(two.services.rooms.loadedRooms.has(boardId)).toBe(false)
  }, 60_000)
})
