/**
 * A time still to come within HISTORY_CLOCK_TOLERANCE_MS reads the board as it
 * is now, and every route that takes `asOf` tells it as the moment read, not
 * as the time asked: the board read as of it, an export (its briefing's
 * version line, its STIX objects' times) and a snapshot made of it. Kept as
 * asked, a Markdown export said "Board as it was at" a time four minutes
 * ahead, a snapshot stored that future moment as its content's, and the STIX
 * notes were dated in the future, a later version than the live board's after
 * its next edit (red team 40b, finding 7).
 */
import { afterEach, expect, it } from 'vitest'
import type { AssessmentModel, BoardModel } from '../../shared/board-model.ts'
import type { AsOf } from '../../shared/history-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { AS_OF_HEADER } from '../../server/http/as-of-query.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer
afterEach(async () => {
  await server.destroy()
})

it('reads a time within the tolerance ahead as now, and says now wherever it is told', async () => {
  const clock = testClock()
  server = await startTestServer({ accounts: true, clock, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
  const owner = await addAccount(server, { name: 'Olga Owner' })
  const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const boardId = await api.createBoard('Wagner in Belarus')
  const base = `/api/boards/${boardId}`
  const card = await api.post<AssessmentModel>(`${base}/assessments`, { title: 'Wagner stays', kind: 'key-judgment', likelihood: 5 })
  expect(card.status).toBe(201)
  const now = clock.advance(MINUTE)
  const future = encodeURIComponent(new Date(Date.parse(now) + 4 * MINUTE).toISOString())

  const read = await api.get<BoardModel>(`${base}?asOf=${future}`)
  expect(read.status).toBe(200)
  expect(read.body.assessments.map((a) => a.title)).toEqual(['Wagner stays'])
  expect(JSON.parse(read.headers.get(AS_OF_HEADER)!) as AsOf).toMatchObject({ asOf: now, at: now })

  const markdown = await api.get<string>(`${base}/export?format=md&asOf=${future}`)
  expect(markdown.status).toBe(200)
  expect(markdown.body).toContain('Board as it was at 2026-03-02 13:01 UTC, from its history')

  // The same moment read, so the same bytes: dated by the time asked, every object was a version four minutes ahead.
  const [stix, stixNow] = await Promise.all([api.get<string>(`${base}/export?format=stix&asOf=${future}`), api.get<string>(`${base}/export?format=stix&asOf=${encodeURIComponent(now)}`)])
  expect([stix.status, stixNow.status]).toEqual([200, 200])
  expect(stix.body).toEqual(stixNow.body)

  const snapshot = await api.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Ahead', asOf: decodeURIComponent(future) })
  expect(snapshot.status).toBe(201)
  expect(snapshot.body.asOf).toBe(now)
})
