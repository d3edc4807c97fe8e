/**
 * The server's clock stepped back (an NTP step, a virtual machine restored)
 * within HISTORY_CLOCK_TOLERANCE_MS (set to 3 hours here) while a board is
 * edited: an edit made then is dated no earlier than the board's history
 * already holds, so the board read or exported as of a moment between two
 * edits never shows the later one, a snapshot taken then is dated
 * no earlier than the edits it holds, automatic snapshots go on, and the step
 * is logged once. On SQLite and PostgreSQL, and with two instances on one
 * PostgreSQL database, one of them behind the other.
 */
import { afterEach, expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { apiClient } from '../helpers/api.ts'
import { added, cardsAsOf, editedBoard } from '../helpers/carded-board.ts'
import { openAccess } from '../helpers/open-access.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { HOUR, MINUTE, testClock } from '../helpers/test-clock.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()

let servers: TestServer[] = []
afterEach(async () => {
  // The first created the database and drops it: it goes last.
  for (const server of servers.reverse()) await server.destroy()
  servers = []
})

/** Steps back of two hours are carried (past the tolerance they are dated back: clock-forward.test.ts). */
const TOLERANCE = { HISTORY_CLOCK_TOLERANCE_MS: String(3 * HOUR) }

describeEachDialect(postgresMissing, 'a server whose clock steps back on %s', (dialect) => {
  it('dates later edits and snapshots no earlier than the history holds, so the past never shows them', async () => {
    const clock = testClock()
    const logged: string[] = []
    const server = await startTestServer({ dialect, access: () => openAccess(), clock, env: TOLERANCE, logSink: (line) => logged.push(line) })
    servers.push(server)
    const { api, boardId, writer } = await editedBoard(server, 'Clock back', connect)

    clock.advance(MINUTE)
    await added(api, boardId, writer, 'Alpha card')
    const between = clock.advance(5 * MINUTE)
    const bAt = clock.advance(5 * MINUTE)
    await added(api, boardId, writer, 'Bravo card')
    clock.advance(-2 * HOUR)
    await added(api, boardId, writer, 'Charlie card')
    const snapshot = await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'While behind' })
    expect(snapshot.status).toBe(201)
    expect(snapshot.body.createdAt >= bAt, `${snapshot.body.createdAt} holds B of ${bAt}`).toBe(true)
    await waitFor(() => logged.some((line) => line.includes('"level":40') && line.includes('the system clock went back')), 'the step back to be logged')
    // The latest snapshot seems to come later than the clock says it is: automatic snapshots go on all the same.
    await added(api, boardId, writer, 'Echo card')
    const swept = await server.services.autoSnapshots.runOnce()
    expect(swept.taken).toHaveLength(1)

    clock.advance(3 * HOUR)
    await added(api, boardId, writer, 'Delta card')
    expect(await cardsAsOf(api, boardId, between)).toEqual(['Alpha card'])
    expect(await cardsAsOf(api, boardId, bAt)).toEqual(['Alpha card', 'Bravo card', 'Charlie card', 'Echo card'])
    const exported = await fetch(`${server.url}/api/boards/${boardId}/export?format=md&asOf=${encodeURIComponent(between)}`)
    expect(exported.status).toBe(200)
    const markdown = await exported.text()
    expect(markdown).toContain('Alpha card')
    for (const later of ['Bravo card', 'Charlie card', 'Delta card', 'Echo card']) expect(markdown).not.toContain(later)
    expect(logged.filter((line) => line.includes('the system clock went back'))).toHaveLength(1)
  }, 120_000)
})

describeUnless(postgresMissing)('two instances on one PostgreSQL database, one clock behind the other', () => {
  it('dates the edits of the instance behind no earlier than the other instance’s', async () => {
    const right = testClock()
    const behind = testClock(Date.parse(right.iso()) - 2 * HOUR)
    const first = await startTestServer({ dialect: 'postgres', access: () => openAccess(), clock: right, env: { REDIS_URL, ...TOLERANCE } })
    servers.push(first)
    const second = await startTestServer({ dialect: 'postgres', access: () => openAccess(), clock: behind, database: first.database, env: { REDIS_URL, ...TOLERANCE } })
    servers.push(second)
    const { api, boardId, writer: onFirst } = await editedBoard(first, 'Clock back', connect)

    right.advance(MINUTE)
    await added(api, boardId, onFirst, 'Alpha card')
    const between = right.advance(5 * MINUTE)
    right.advance(5 * MINUTE)
    await added(api, boardId, onFirst, 'Bravo card')
    const onSecond = connect(second.wsUrl, boardId)
    await onSecond.synced()
    await added(apiClient(second.url), boardId, onSecond, 'Charlie card')

    right.advance(MINUTE)
    expect(await cardsAsOf(api, boardId, between)).toEqual(['Alpha card'])
  }, 120_000)
})
