/**
 * A read of the board as of a past time is named by the version it reads (the
 * newest kept row or checkpoint at or before the time), not by the time: two
 * times with no change between them are one read, one export, one refusal.
 * Named by the time, an export asked for a millisecond later redid 5.4 s of
 * work before the same 422 briefing_too_large, and any edit of the live board
 * made a past moment's export new (red team 29c). A count in front of the
 * history's reads tells which times were rebuilt, and the worker's metrics
 * which exports were worked out. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { asOfPosition } from '../../server/history/as-of-position.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { metricsText, METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string } }

describeEachDialect(postgresMissing, 'reads of a past version on %s', (dialect) => {
  /** The times the board was rebuilt at (each rebuild reads where it starts twice). */
  let rebuiltAt = new Map<string, number>()
  let server: TestServer

  afterEach(async () => {
    rebuiltAt = new Map()
    await server.destroy()
  })

  const counted = (storage: Storage): Storage => gateHistoryReads(storage, { startAt: async (at) => void rebuiltAt.set(at, (rebuiltAt.get(at) ?? 0) + 1) })

  /** Export jobs that settled with `outcome`, as the worker's metrics count them. */
  const exportJobs = async (outcome: string) => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job: 'export-board', outcome }) ?? 0

  it('reads, exports and refuses two times with no change between them once, and an edit of the live board leaves a past export as it was', async () => {
    const clock = testClock()
    server = await startTestServer({ dialect, accounts: true, clock, wrapStorage: counted, env: { BRIEFING_MAX_CHARS: '50000', WORKER_THREADS: '1', METRICS_TOKEN } })
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, await addAccount(server, { name: 'Olga Owner' }))).token}` })
    const boardId = await api.createBoard('Outgrown')
    // Three judgments of 20,000 characters: 60,000 characters of text, past the briefing's ceiling of 50,000.
    const operations = [0, 1, 2].map((i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${i}`, judgment: wordsText(20_000, i + 1) } }))
    const added = await api.post<{ ids: string[] }>(`/api/boards/${boardId}/batch`, { operations })
    expect(added.status).toBe(200)
    const first = clock.advance(MINUTE)
    // A millisecond later, nothing changed in between: the same version.
    const second = new Date(Date.parse(first) + 1).toISOString()
    clock.advance(MINUTE)

    const state = (at: string) => api.get(`/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(at)}`)
    const [atFirst, atSecond] = [await state(first), await state(second)]
    expect([atFirst.status, atSecond.status]).toEqual([200, 200])
    expect(atSecond.body).toEqual(atFirst.body)
    expect(rebuiltAt.has(first)).toBe(true)
    expect(rebuiltAt.has(second)).toBe(false)
    // Each answer names the moment it was asked for.
    expect(JSON.parse(atSecond.headers.get('assay-as-of')!)).toMatchObject({ asOf: second, at: second, exact: true })

    const exported = async (at: string) => {
      const answer = await api.get<ErrorBody>(`/api/boards/${boardId}/export?format=md&asOf=${encodeURIComponent(at)}`)
      return [answer.status, answer.body.error.code]
    }
    expect(await exported(first)).toEqual([422, 'briefing_too_large'])
    expect(await exportJobs('error')).toBe(1)
    // The same version a millisecond later: refused at once, worked out no more.
    expect(await exported(second)).toEqual([422, 'briefing_too_large'])
    // The live board edited since: the past version is as it was, and refused at once again.
    expect((await api.patch(`/api/boards/${boardId}/assessments/${added.body.ids[0]!}`, { title: 'Card 0, renamed' })).status).toBe(200)
    expect(await exported(second)).toEqual([422, 'briefing_too_large'])
    expect(await exportJobs('error')).toBe(1)
    expect(await exportJobs('failed-before')).toBe(2)

    // A time after the edit is another version: read and worked out.
    const third = clock.advance(MINUTE)
    expect(await exported(third)).toEqual([422, 'briefing_too_large'])
    expect(rebuiltAt.has(third)).toBe(true)
    expect(await exportJobs('error')).toBe(2)
  }, 60_000)

  it('finds the newest row at or before any time, across the checkpoints compaction leaves', async () => {
    const clock = testClock()
    server = await startTestServer({ dialect, accounts: true, clock, env: { COMPACT_AFTER_ROWS: '10000000' } })
    const { history, log } = server.services.storage
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, await addAccount(server, { name: 'Olga Owner' }))).token}` })
    const boardId = await api.createBoard('Rows and checkpoints')
    const empty = Y.encodeStateAsUpdate(new Y.Doc())
    for (let row = 1; row <= 30; row++) {
      clock.advance(1_000)
      await log.append(boardId, [{ update: empty, origin: 'server' }])
      // Two rows in one moment now and then; a checkpoint every ten rows.
      if (row % 7 === 0) await log.append(boardId, [{ update: empty, origin: 'server' }])
      if (row % 10 === 0) expect((await log.compact(boardId, (checkpoint, rows) => ({ state: Y.mergeUpdates([...(checkpoint ? [checkpoint] : []), ...rows.map((kept) => kept.update)]), changes: [] }))).mergedRows).toBeGreaterThan(0)
    }
    const rows = await history.rowInfo(boardId, { from: '2000-01-01T00:00:00.000Z', to: clock().toISOString(), limit: 1000 })
    const newestAtOrBefore = (at: string) => rows.filter((row) => row.at <= at).at(-1)?.seq ?? null
    const times = rows.flatMap((row) => [-1, 0, 500].map((ms) => new Date(Date.parse(row.at) + ms).toISOString()))
    for (const at of [...times, '2000-01-01T00:00:00.000Z']) expect({ at, seq: await asOfPosition(history, boardId, at) }).toEqual({ at, seq: newestAtOrBefore(at) })
  }, 60_000)
})
