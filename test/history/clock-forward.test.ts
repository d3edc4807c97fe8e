/**
 * The server's clock stepped forward (a bad time source, a virtual machine's
 * clock) and back: what was written while it was ahead is dated back to the
 * clock by the board's next edit, so the board read as of now shows every
 * edit, the history and snapshots hold no time to come, and the board's
 * history is logged once as having been ahead. A clock ahead within
 * HISTORY_CLOCK_TOLERANCE_MS (another instance's a little ahead) is carried
 * as before, and read as of then. On SQLite and PostgreSQL, and with two
 * instances on one PostgreSQL database, one of them ahead of the other.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardHistory } from '../../shared/history-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { added, cardsAsOf, editedBoard } from '../helpers/carded-board.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock, type TestClock } from '../helpers/test-clock.ts'
import { REDIS_URL, startTestServer, type Dialect, type TestServer } from '../helpers/test-server.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()
const YEAR = 365 * DAY
const DATED_BACK = 'history was ahead of the clock'

let servers: TestServer[] = []
afterEach(async () => {
  // The first created the database and drops it: it goes last.
  for (const server of servers.reverse()) await server.destroy()
  servers = []
})

/** The time of the board's newest edit, as its history of editing sessions shows it. */
async function newestEditAt(api: ApiClient, boardId: string): Promise<string | undefined> {
  return (await api.get<BoardHistory>(`/api/boards/${boardId}/history`)).body.sessions[0]?.to
}

const datedBackLines = (logged: string[]) => logged.filter((line) => line.includes('"level":50') && line.includes(DATED_BACK))

/** A server on `clock` whose log lines are kept, with a board a client edits there. */
async function editedOnClock(dialect: Dialect, clock: TestClock) {
  const logged: string[] = []
  const server = await startTestServer({ dialect, access: () => openAccess(), clock, logSink: (line) => logged.push(line) })
  servers.push(server)
  return { server, logged, ...(await editedBoard(server, 'Clock forward', connect)) }
}

describeEachDialect(postgresMissing, 'a server whose clock steps forward and back on %s', (dialect) => {
  it('dates what was written while a year ahead back to the clock at the next edit', async () => {
    const clock = testClock()
    const { server, logged, api, boardId, writer } = await editedOnClock(dialect, clock)

    clock.advance(MINUTE)
    await added(api, boardId, writer, 'Alpha card')
    const beforeStep = clock.advance(MINUTE)
    clock.advance(YEAR)
    await added(api, boardId, writer, 'Bravo card')
    const snapshot = await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'While ahead' })
    expect(snapshot.status).toBe(201)
    // Folded while ahead: a checkpoint and recorded changes dated a year on. The log's own fold, not the relay's,
    // which thins the history too, by the clock a year ahead (what it drops is not brought back).
    const { storage, workers } = server.services
    await storage.log.compact(boardId, (checkpoint, rows) => workers.run('merge-state', { checkpoint, rows }))
    clock.advance(MINUTE - YEAR)
    await added(api, boardId, writer, 'Charlie card')
    clock.advance(MINUTE)
    await added(api, boardId, writer, 'Delta card')
    const now = clock.iso()

    expect(await cardsAsOf(api, boardId, now)).toEqual(['Alpha card', 'Bravo card', 'Charlie card', 'Delta card'])
    expect(await cardsAsOf(api, boardId, beforeStep)).toEqual(['Alpha card'])
    expect(await newestEditAt(api, boardId)).toBe(now)
    const snapshots = (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
    expect(snapshots.map((listed) => listed.createdAt).filter((at) => at > now)).toEqual([])
    const checkpoints = await storage.history.checkpoints(boardId)
    expect(checkpoints.length).toBeGreaterThan(0)
    expect(checkpoints.map((checkpoint) => checkpoint.at).filter((at) => at > now)).toEqual([])
    const changes = await storage.history.changes(boardId, { limit: 100 })
    expect(changes.map((change) => change.field)).toContain('card')
    expect(changes.flatMap((change) => [change.firstAt, change.at]).filter((at) => at > now)).toEqual([])
    expect(datedBackLines(logged)).toHaveLength(1)
  }, 120_000)

  it('carries a clock ahead within the tolerance and reads the board as of then', async () => {
    const clock = testClock()
    const { logged, api, boardId, writer } = await editedOnClock(dialect, clock)

    clock.advance(MINUTE)
    await added(api, boardId, writer, 'Alpha card')
    const ahead = clock.advance(2 * MINUTE)
    await added(api, boardId, writer, 'Bravo card')
    clock.advance(-2 * MINUTE)
    await added(api, boardId, writer, 'Charlie card')

    expect(await newestEditAt(api, boardId)).toBe(ahead)
    expect(await cardsAsOf(api, boardId, ahead)).toEqual(['Alpha card', 'Bravo card', 'Charlie card'])
    expect(datedBackLines(logged)).toEqual([])
  }, 120_000)
})

describeUnless(postgresMissing)('two instances on one PostgreSQL database, one clock ahead of the other', () => {
  it('dates the edits of the instance ahead back to the other’s clock past the tolerance, and not within it', async () => {
    const right = testClock()
    const ahead = testClock(Date.parse(right.iso()) + 2 * MINUTE)
    const logged: string[] = []
    const first = await startTestServer({ dialect: 'postgres', access: () => openAccess(), clock: right, env: { REDIS_URL }, logSink: (line) => logged.push(line) })
    servers.push(first)
    const second = await startTestServer({ dialect: 'postgres', access: () => openAccess(), clock: ahead, database: first.database, env: { REDIS_URL } })
    servers.push(second)
    const { api, boardId, writer: onFirst } = await editedBoard(first, 'Clock forward', connect)
    const onSecond = connect(second.wsUrl, boardId)
    await onSecond.synced()

    await added(apiClient(second.url), boardId, onSecond, 'Alpha card')
    await added(api, boardId, onFirst, 'Bravo card')
    expect(await newestEditAt(api, boardId)).toBe(ahead.iso())
    expect(datedBackLines(logged)).toEqual([])

    ahead.advance(YEAR)
    await added(apiClient(second.url), boardId, onSecond, 'Charlie card')
    await added(api, boardId, onFirst, 'Delta card')
    expect(await newestEditAt(api, boardId)).toBe(right.iso())
    expect(await cardsAsOf(api, boardId, right.iso())).toEqual(['Alpha card', 'Bravo card', 'Charlie card', 'Delta card'])
    expect(datedBackLines(logged)).toHaveLength(1)
  }, 120_000)
})
