/**
 * What a clock that stepped forward and back leaves behind, through the real
 * server: snapshots dated back together share one time, and the latest of
 * them is the last made, in the listing and in what the live board's export
 * is compared with (also once one of them is deleted), the same on SQLite and PostgreSQL; a board nobody edits
 * after the step is dated back when a server starts, so the board as of now
 * holds its newest edit and nothing of it is dated to come, once per board
 * also when two PostgreSQL instances start on it together.
 */
import { afterEach, expect, it } from 'vitest'
import type { BoardHistory } from '../../shared/history-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { added, cardsAsOf, editedBoard } from '../helpers/carded-board.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock, type TestClock } from '../helpers/test-clock.ts'
import { startTestServer, type Dialect, type TestServer } from '../helpers/test-server.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()
const YEAR = 365 * DAY
const DATED_BACK = 'history was ahead of the clock'
const LABELS = ['First cut', 'Second cut', 'Third cut', 'Fourth cut', 'Fifth cut', 'Sixth cut']

let servers: TestServer[] = []
afterEach(async () => {
  // The first created the database and drops it: it goes last.
  for (const server of servers.reverse()) await server.destroy()
  servers = []
})

const datedBackLines = (logged: string[]) => logged.filter((line) => line.includes('"level":50') && line.includes(DATED_BACK))
const listed = async (api: ApiClient, boardId: string) => (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
const newestEditAt = async (api: ApiClient, boardId: string) => (await api.get<BoardHistory>(`/api/boards/${boardId}/history`)).body.sessions[0]?.to

async function serverOn(dialect: Dialect, clock: TestClock, logged: string[], database?: string): Promise<TestServer> {
  const server = await startTestServer({ dialect, access: () => openAccess(() => 'owner'), clock, logSink: (line) => logged.push(line), database })
  servers.push(server)
  return server
}

/** A board with a card, then one more and a snapshot made while the clock is a year ahead; the clock put right, nobody edits it. */
async function leftAhead(server: TestServer, clock: TestClock, title: string) {
  const { api, boardId, writer } = await editedBoard(server, title, connect)
  clock.advance(MINUTE)
  await added(api, boardId, writer, 'Alpha card')
  clock.advance(YEAR)
  await added(api, boardId, writer, 'Bravo card')
  expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'While ahead' })).status).toBe(201)
  writer.destroy()
  clock.advance(MINUTE - YEAR)
  return { api, boardId }
}

describeEachDialect(postgresMissing, 'history dated back on %s', (dialect) => {
  it('orders snapshots dated back to one time as they were made: the last made is the latest', async () => {
    const clock = testClock()
    const logged: string[] = []
    const server = await serverOn(dialect, clock, logged)
    const { api, boardId, writer } = await editedBoard(server, 'Snapshot order', connect)
    clock.advance(MINUTE)
    await added(api, boardId, writer, 'Alpha card')
    clock.advance(YEAR)
    // The clock stands still: each is dated a millisecond after the one before, a year ahead.
    for (const label of LABELS) expect((await api.post(`/api/boards/${boardId}/snapshots`, { label })).status).toBe(201)
    clock.advance(MINUTE - YEAR)
    // The next edit dates them all back to the clock.
    await added(api, boardId, writer, 'Bravo card')
    const now = clock.iso()

    // One taken out of the middle: the one after it is relinked to the one before (on PostgreSQL a new version of its
    // row, which a read in the order rows happen to be kept in would take for the newest).
    const third = (await listed(api, boardId)).find((snapshot) => snapshot.label === 'Third cut')!
    expect((await api.delete(`/api/boards/${boardId}/snapshots/${third.id}`)).status).toBe(204)
    const kept = LABELS.filter((label) => label !== third.label)

    const snapshots = await listed(api, boardId)
    expect(snapshots.map((snapshot) => snapshot.createdAt)).toEqual(kept.map(() => now))
    expect(snapshots.map((snapshot) => snapshot.label)).toEqual([...kept].reverse())
    // The live board's briefing says what changed since the latest snapshot.
    const briefing = (await api.get<string>(`/api/boards/${boardId}/export?format=md`)).body
    const since = /Changes since snapshot “\u2068([^\u2069]*)\u2069”/.exec(briefing)?.[1]
    expect(since, briefing).toBe(LABELS.at(-1))
    expect(datedBackLines(logged)).toHaveLength(1)
  }, 120_000)

  it('dates back at start a board left ahead of the clock and not edited again', async () => {
    const clock = testClock()
    const logged: string[] = []
    const server = await serverOn(dialect, clock, logged)
    const { api, boardId } = await leftAhead(server, clock, 'Left ahead')
    const now = clock.iso()
    // Before a restart, nothing dated it back: as of now it reads without its newest card.
    expect(await cardsAsOf(api, boardId, now)).toEqual(['Alpha card'])

    const restarted = await server.restart()
    servers.push(restarted)
    const after = apiClient(restarted.url)
    expect(await cardsAsOf(after, boardId, now)).toEqual(['Alpha card', 'Bravo card'])
    expect(await newestEditAt(after, boardId)).toBe(now)
    expect((await listed(after, boardId)).map((snapshot) => snapshot.createdAt)).toEqual([now])
    expect(datedBackLines(logged)).toHaveLength(1)
  }, 120_000)
})

describeUnless(postgresMissing)('two instances starting together on one PostgreSQL database', () => {
  it('date back each board left ahead once', async () => {
    const clock = testClock()
    const logged: string[] = []
    const first = await serverOn('postgres', clock, logged)
    const boards = [await leftAhead(first, clock, 'Left ahead 1'), await leftAhead(first, clock, 'Left ahead 2'), await leftAhead(first, clock, 'Left ahead 3')]
    await first.close()
    const now = clock.iso()

    const [one, two] = await Promise.all([serverOn('postgres', clock, logged, first.database), serverOn('postgres', clock, logged, first.database)])
    for (const { boardId } of boards) {
      expect(await cardsAsOf(apiClient(one!.url), boardId, now)).toEqual(['Alpha card', 'Bravo card'])
      expect(await newestEditAt(apiClient(two!.url), boardId)).toBe(now)
    }
    const lines = datedBackLines(logged)
    expect(lines).toHaveLength(boards.length)
    expect(new Set(lines.map((line) => (JSON.parse(line) as { boardId: string }).boardId))).toEqual(new Set(boards.map((board) => board.boardId)))
  }, 120_000)
})
