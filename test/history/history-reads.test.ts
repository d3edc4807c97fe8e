/**
 * Costly history reads (the board as of a past time, for a read, an export or
 * a snapshot; the editing sessions) each fold tens of thousands of log rows,
 * on SQLite on the relay's thread: one reviewer firing 16 identical reads of a
 * past moment held an honest typist's round trip at 264 ms (p95) on SQLite and
 * 1,349 ms on PostgreSQL. Now a person has at most HISTORY_READS_PER_PERSON in
 * flight and the instance computes at most HISTORY_READS_PER_INSTANCE
 * different ones, refused past either with 429 and Retry-After; identical
 * reads share one computation, and a completed read is kept for the next
 * identical one until the log changes or the board is deleted. A gate in front
 * of the history's reads holds the reads of one moment for as long as the test
 * needs, and counts the reads that reach the log. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addToken, renameAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { reviewTeam } from '../helpers/review-team.ts'
import { metricsText, METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { DAY, MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string; message: string } }

describeEachDialect(postgresMissing, 'costly history reads on %s', (dialect) => {
  /** Held, the reads of the moments in `heldAt`, and every read of the editing sessions while `sessionsHeld`, wait as they begin reading the history. */
  const reading = new Gate()
  let heldAt = new Set<string>()
  let sessionsHeld = false
  /** Reads of the log that reached it: as of each moment (two a computation), and of the sessions. */
  let startsAt = new Map<string, number>()
  let sessionReads = 0
  let server: TestServer

  afterEach(async () => {
    sessionsHeld = false
    heldAt = new Set()
    startsAt = new Map()
    sessionReads = 0
    reading.release()
    await server.destroy()
  })

  const gated = (storage: Storage): Storage =>
    gateHistoryReads(storage, {
      startAt: async (at) => {
        startsAt.set(at, (startsAt.get(at) ?? 0) + 1)
        if (heldAt.has(at)) await reading.pass()
      },
      rowInfo: async () => {
        sessionReads++
        if (sessionsHeld) await reading.pass()
      },
    })

  /** An owner's board edited at three moments, with two reviewers; the clock then an hour on. */
  async function team(env: Record<string, string> = {}, clock = testClock()) {
    server = await startTestServer({ dialect, accounts: true, clock, wrapStorage: gated, env: { METRICS_TOKEN, ...env } })
    const members = await reviewTeam(server, 'Wagner mutiny — Vilnius')
    const { boardId, owner } = members
    const moments: string[] = []
    for (const title of ['Convoy moved north', 'Convoy reached Rostov', 'Convoy turned back']) {
      clock.advance(MINUTE)
      expect((await owner.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
      moments.push(clock.advance(MINUTE))
    }
    clock.advance(60 * MINUTE)
    return { ...members, moments }
  }

  const stateOf = (boardId: string, at: string) => `/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(at)}`
  const modelOf = (boardId: string, at: string) => `/api/boards/${boardId}?asOf=${encodeURIComponent(at)}`

  /** Asked now, left pending: the reads wait at the gate. */
  const asked = (api: ApiClient, path: string): Promise<ApiResponse> => api.get(path)

  function expectRefused(response: ApiResponse, code: string): void {
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('5')
    expect((response.body as ErrorBody).error.code).toBe(code)
    expect((response.body as ErrorBody).error.message).toMatch(/try again in 5 s/i)
  }

  const counted = async (name: string, labels: Record<string, string> = {}) => sample(await metricsText(server), name, labels) ?? 0

  it("refuses a reviewer's reads past their share while the owner's are served, computes identical reads once, and serves the reviewer again once theirs end", async () => {
    const { boardId, owner, rita, moments } = await team()
    const [first, second, third] = moments as [string, string, string]
    heldAt = new Set([second])
    reading.hold()

    // Two identical reads of one moment, and the owner's identical one: one computation, held.
    const held = [asked(rita, stateOf(boardId, second)), asked(rita, stateOf(boardId, second)), asked(owner, stateOf(boardId, second))]
    await waitFor(async () => (await counted('assay_history_reads_shared_total', { kind: 'board-as-of' })) === 2, 'the identical reads to join the first')
    // The two that joined are counted as they join, maybe before the one computation reaches the log's gate.
    await waitFor(() => reading.waiting > 0, 'the one computation to reach the log')
    expect(reading.waiting).toBe(1)

    // Every other costly read of the reviewer's is refused while their two are in flight.
    expectRefused(await rita.get(modelOf(boardId, first)), 'too_many_history_reads')
    expectRefused(await rita.get(stateOf(boardId, second)), 'too_many_history_reads')
    expectRefused(await rita.get(`/api/boards/${boardId}/history`), 'too_many_history_reads')
    expectRefused(await rita.get(`/api/boards/${boardId}/export?format=json&asOf=${encodeURIComponent(third)}`), 'too_many_history_reads')
    // Reading the live board costs no history: served.
    expect((await rita.get(`/api/boards/${boardId}`)).status).toBe(200)

    // The owner, one read in flight, is served: the board, its sessions, an export and a snapshot of past moments.
    const model = await owner.get<{ assessments: { title: string }[] }>(modelOf(boardId, first))
    expect(model.status).toBe(200)
    expect(model.body.assessments.map((assessment) => assessment.title)).toEqual(['Convoy moved north'])
    expect((await owner.get(`/api/boards/${boardId}/history`)).status).toBe(200)
    expect((await owner.get(`/api/boards/${boardId}/export?format=json&asOf=${encodeURIComponent(third)}`)).status).toBe(200)
    expect((await owner.post(`/api/boards/${boardId}/snapshots`, { label: 'As it was', asOf: first })).status).toBe(201)

    reading.release()
    const answers = await Promise.all(held)
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(new Set(answers.map((answer) => answer.body as string)).size).toBe(1)
    expect(new Set(answers.map((answer) => answer.headers.get('assay-as-of'))).size).toBe(1)
    expect(await counted('assay_history_reads_total', { kind: 'board-as-of', outcome: 'too_many_history_reads' })).toBe(2)

    // Their reads done, the reviewer is served again.
    expect((await rita.get(modelOf(boardId, first))).status).toBe(200)
    expect((await rita.get(`/api/boards/${boardId}/history`)).status).toBe(200)
  }, 60_000)

  it('refuses a read that would be computed past the instance’s share, but lets one join an identical read in flight', async () => {
    const { boardId, owner, rita, rolf, moments } = await team({ HISTORY_READS_PER_INSTANCE: '2' })
    const [first, second, third] = moments as [string, string, string]
    heldAt = new Set([second])
    sessionsHeld = true
    reading.hold()

    // Two different computations held: the board as of a moment, and the editing sessions up to now, which the owner's identical read joins.
    const sessions = `/api/boards/${boardId}/history`
    const held = [asked(rita, stateOf(boardId, second)), asked(rolf, sessions)]
    await waitFor(() => reading.waiting === 2, 'both reads to be held')
    held.push(asked(owner, sessions))
    await waitFor(async () => (await counted('assay_history_reads_shared_total', { kind: 'sessions' })) === 1, 'the owner’s sessions to join')

    expectRefused(await owner.get(modelOf(boardId, first)), 'history_reads_busy')
    expectRefused(await owner.get(`/api/boards/${boardId}/export?format=json&asOf=${encodeURIComponent(third)}`), 'history_reads_busy')
    expect(await counted('assay_history_reads_total', { kind: 'log-as-of', outcome: 'history_reads_busy' })).toBe(1)
    // Identical to one in flight, it costs nothing more: it joins.
    const joined = asked(owner, stateOf(boardId, second))
    await waitFor(async () => (await counted('assay_history_reads_shared_total', { kind: 'board-as-of' })) === 1, 'the owner’s read to join')

    reading.release()
    const answers = await Promise.all([...held, joined])
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200])
    expect(answers[2]!.body).toEqual(answers[1]!.body)
    expect((await owner.get(modelOf(boardId, first))).status).toBe(200)
  }, 60_000)

  it('keeps reads for a third member while two others each keep two reads of the past in flight: her read of the past, and the live board in a lane of its own', async () => {
    const { boardId, owner, rita, rolf, moments } = await team({ ROOM_IDLE_MS: '0' })
    const [first, second, third] = moments as [string, string, string]
    // Nobody has the board open: reading it is a costly read of the live board.
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board to be unloaded')
    heldAt = new Set(moments)
    sessionsHeld = true
    // Only the reads meant to be held wait: one computed past its share is not kept waiting, so it shows.
    reading.hold(3)
    const exportOf = (at: string) => `/api/boards/${boardId}/export?format=json&asOf=${encodeURIComponent(at)}`

    // Two reviewers each keep two different reads of the past in flight, as many as each may: the instance computes three
    // of them, the last of its four slots kept for someone computing none.
    const held = [asked(rita, stateOf(boardId, first)), asked(rita, stateOf(boardId, second)), asked(rolf, stateOf(boardId, third))]
    await waitFor(() => reading.waiting === 3, 'three reads of the past to be held')
    const refusedShare = await rolf.get<ErrorBody>(exportOf(first))
    expectRefused(refusedShare, 'history_reads_busy')
    expect(refusedShare.body.error.message).toMatch(/of yours as one person may/)

    // The owner's read of the past takes the last slot; the instance computes no more.
    reading.hold(1)
    held.push(asked(owner, `/api/boards/${boardId}/history`))
    await waitFor(() => reading.waiting === 4, 'the owner’s read of the past to be held')
    expectRefused(await owner.get(exportOf(second)), 'history_reads_busy')
    expectRefused(await rita.get(`/api/boards/${boardId}/history/changes`), 'too_many_history_reads')

    // The live board, read from storage, is computed in a lane no read of the past takes.
    const live = await owner.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)
    expect(live.status).toBe(200)
    expect(live.body.assessments.map((assessment) => assessment.title)).toEqual(['Convoy moved north', 'Convoy reached Rostov', 'Convoy turned back'])
    expect(await counted('assay_history_reads_total', { kind: 'live-model', outcome: 'served' })).toBe(1)

    reading.release()
    expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([200, 200, 200, 200])
    // Their slots given back, the refused reads are served.
    expect((await rolf.get(exportOf(first))).status).toBe(200)
    expect((await owner.get(exportOf(second))).status).toBe(200)
  }, 60_000)

  it('keeps a completed read for the identical next one until the board is edited or deleted, and checks rights before serving it', async () => {
    const { boardId, owner, rita, rolf, rolfId, moments } = await team()
    const second = moments[1]!
    const sessions = `/api/boards/${boardId}/history`
    type Sessions = { sessions: { edits: number }[] }
    const editsIn = (body: Sessions) => body.sessions.reduce((sum, session) => sum + session.edits, 0)

    // The same read twice, the first completed: computed once, the same answer.
    const first = await rita.get(stateOf(boardId, second))
    expect(first.status).toBe(200)
    const computed = startsAt.get(second)
    const again = await rita.get(stateOf(boardId, second))
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get('assay-as-of')).toBe(first.headers.get('assay-as-of'))
    expect(startsAt.get(second)).toBe(computed)
    expect(await counted('assay_history_reads_cached_total', { kind: 'board-as-of' })).toBe(1)

    const listed = await rita.get<Sessions>(sessions)
    expect(listed.status).toBe(200)
    const readsOfSessions = sessionReads
    expect((await rita.get<Sessions>(sessions)).body).toEqual(listed.body)
    expect(sessionReads).toBe(readsOfSessions)
    expect(await counted('assay_history_reads_cached_total', { kind: 'sessions' })).toBe(1)

    // Kept, it is served only to whom may still read the board.
    expect((await rolf.get(stateOf(boardId, second))).status).toBe(200)
    expect((await owner.delete(`/api/boards/${boardId}/members/${rolfId}`)).status).toBe(204)
    expect([403, 404]).toContain((await rolf.get(stateOf(boardId, second))).status)

    // A new edit: the sessions are read again and hold it; the past moment is read again, unchanged.
    expect((await owner.post(`/api/boards/${boardId}/assessments`, { title: 'Convoy stood down' })).status).toBe(201)
    await waitFor(async () => {
      const after = await rita.get<Sessions>(sessions)
      return editsIn(after.body) > editsIn(listed.body)
    }, 'the sessions to hold the new edit')
    expect(sessionReads).toBeGreaterThan(readsOfSessions)
    const afterEdit = await rita.get(stateOf(boardId, second))
    expect(afterEdit.body).toEqual(first.body)
    expect(startsAt.get(second)).toBeGreaterThan(computed!)

    // Deleted, the board's kept reads go with it.
    const cachedBefore = await counted('assay_history_reads_cached_total', { kind: 'board-as-of' })
    const admin = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, await addAccount(server, { name: 'Ada Admin', isAdmin: true }))).token}` })
    expect((await admin.delete(`/api/boards/${boardId}`)).status).toBe(204)
    expect((await rita.get(stateOf(boardId, second))).status).toBe(404)
    expect((await owner.get(sessions)).status).toBe(404)
    expect(await counted('assay_history_reads_cached_total', { kind: 'board-as-of' })).toBe(cachedBefore)
  }, 60_000)

  it('shows an author renamed since a kept read under their new name, though the read is served from what was kept', async () => {
    const { boardId, rita, ownerId } = await team()
    const sessions = `/api/boards/${boardId}/history`
    type Sessions = { sessions: { by: { userId: string | null; name: string } }[] }
    const authors = (body: Sessions) => [...new Set(body.sessions.map((session) => session.by.name))]
    expect(authors((await rita.get<Sessions>(sessions)).body)).toEqual(['Olga Owner'])
    const readsOfSessions = sessionReads

    await renameAccount(server, ownerId, 'Olga Ostrova')
    const again = await rita.get<Sessions>(sessions)
    expect(again.status).toBe(200)
    expect(sessionReads).toBe(readsOfSessions)
    expect(await counted('assay_history_reads_cached_total', { kind: 'sessions' })).toBe(1)
    expect(authors(again.body)).toEqual(['Olga Ostrova'])
    expect(again.body.sessions.every((session) => session.by.userId === ownerId)).toBe(true)
  }, 60_000)

  it('keeps nothing with HISTORY_READ_CACHE_BYTES=0', async () => {
    const { boardId, rita, moments } = await team({ HISTORY_READ_CACHE_BYTES: '0' })
    const second = moments[1]!
    expect((await rita.get(stateOf(boardId, second))).status).toBe(200)
    const computed = startsAt.get(second)!
    expect((await rita.get(stateOf(boardId, second))).status).toBe(200)
    expect(startsAt.get(second)).toBe(2 * computed)
    expect(await counted('assay_history_reads_cached_total', { kind: 'board-as-of' })).toBe(0)
  }, 60_000)

  it('reads again a board whose history was thinned, which leaves the log’s newest rows as they were', async () => {
    const clock = testClock()
    const { boardId, rita, moments } = await team({ HISTORY_DETAIL_DAYS: '1' }, clock)
    const second = moments[1]!
    // Folded into a checkpoint: the rows before it are what thinning drops, the log's newest rows unchanged.
    await server.services.compaction.compact(boardId)
    expect((await rita.get(stateOf(boardId, second))).status).toBe(200)
    expect((await rita.get(stateOf(boardId, second))).status).toBe(200)
    expect(await counted('assay_history_reads_cached_total', { kind: 'board-as-of' })).toBe(1)

    clock.advance(3 * DAY)
    expect((await server.services.historySweep.runOnce()).rowsDropped).toBeGreaterThan(0)
    const thinned = await rita.get<ErrorBody>(stateOf(boardId, second))
    expect(thinned.status).toBe(404)
    expect(thinned.body.error.code).toBe('history_not_kept')
  }, 60_000)
})
