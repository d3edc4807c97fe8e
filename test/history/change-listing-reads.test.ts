/**
 * A listing of who changed which assessment field is a costly history read
 * like the others: read afresh for every request and bounded by nothing, one
 * reviewer's 16 listings in flight of 5,000 changes each held /healthz at
 * 1,037 ms (p99) and took the server from 149 to 465 MiB (red team 29c). Now a
 * person has at most HISTORY_READS_PER_PERSON history reads in flight and the
 * instance computes at most HISTORY_READS_PER_INSTANCE different ones,
 * identical listings are computed once and their encoded answer kept until
 * the log changes (under the names of today), and what is sent counts
 * against LOADED_BYTES_PER_MINUTE_PER_PERSON. A gate in front of the recorded
 * changes' reads holds listings for as long as the test needs and counts the
 * reads that reach storage. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { AssessmentChange } from '../../shared/history-model.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, renameAccount } from '../helpers/accounts.ts'
import type { ApiResponse } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { reviewTeam } from '../helpers/review-team.ts'
import { metricsText, METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { recordChanges, turnsOf } from '../helpers/recorded-changes.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string; message: string } }

const START = Date.parse('2026-11-30T08:00:00.000Z')
const TURNS = 40
/** A turn's time, from which a listing may start: each a different read. */
const turnAt = (turn: number) => new Date(START + turn * 1000).toISOString()

describeEachDialect(postgresMissing, 'listings of changes as costly history reads on %s', (dialect) => {
  /** Held, every listing that starts from a time waits as it reads the recorded changes. */
  const reading = new Gate()
  /** Pages of recorded changes read from storage. */
  let changeReads = 0
  let server: TestServer

  afterEach(async () => {
    changeReads = 0
    reading.release()
    await server.destroy()
  })

  const gated = (storage: Storage): Storage =>
    gateHistoryReads(storage, {
      changes: async (filter) => {
        changeReads++
        if (filter.from !== undefined) await reading.pass()
      },
    })

  /** A board whose two editors took turns at a judgment `length` characters long; an owner and two reviewers read it. */
  async function team(env: Record<string, string> = {}, length = 10) {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: gated, env: { METRICS_TOKEN, COMPACT_AFTER_ROWS: '10000000', ...env } })
    const members = await reviewTeam(server, 'Wagner mutiny — Vilnius')
    const editors = [await addAccount(server, { name: 'Ana Petrova' }), await addAccount(server, { name: 'Bo Lindqvist' })]
    const text = (turn: number) => `${turn} `.padEnd(length, 'x')
    const turns = turnsOf(TURNS, [`ws:${editors[0]!.id}`, `ws:${editors[1]!.id}`], START, (turn) => ({ assessmentId: 'a1', field: 'judgment', from: text(turn), to: text(turn + 1) }))
    await recordChanges(server.services.storage, members.boardId, turns)
    return { ...members, editorId: editors[1]!.id }
  }

  const changesFrom = (boardId: string, turn: number) => `/api/boards/${boardId}/history/changes?limit=5000&from=${encodeURIComponent(turnAt(turn))}`

  function expectRefused(response: ApiResponse, code: string): void {
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('5')
    expect((response.body as ErrorBody).error.code).toBe(code)
  }

  const counted = async (name: string, labels: Record<string, string>) => sample(await metricsText(server), name, labels) ?? 0

  it("refuses a reviewer's listings past their share while others' are served, and serves them again once theirs end", async () => {
    const { boardId, owner, rita } = await team()
    reading.hold()
    // Two listings from different times: two computations, each held as it reads.
    const held = [rita.get<AssessmentChange[]>(changesFrom(boardId, 1)), rita.get<AssessmentChange[]>(changesFrom(boardId, 2))]
    await waitFor(() => reading.waiting === 2, 'both listings to reach the recorded changes')

    // Every other costly read of the reviewer's is refused meanwhile, a HEAD too.
    expectRefused(await rita.get(changesFrom(boardId, 3)), 'too_many_history_reads')
    expect((await rita.head(changesFrom(boardId, 4))).status).toBe(429)
    expectRefused(await rita.get(`/api/boards/${boardId}/history`), 'too_many_history_reads')
    expect(await counted('assay_history_reads_total', { kind: 'changes', outcome: 'too_many_history_reads' })).toBe(2)
    // The owner's listing is served.
    const owners = await owner.get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes`)
    expect(owners.status).toBe(200)
    expect(owners.body).toHaveLength(TURNS)

    reading.release()
    const answers = await Promise.all(held)
    expect(answers.map((answer) => answer.status)).toEqual([200, 200])
    expect(answers.map((answer) => answer.body.length)).toEqual([TURNS - 2, TURNS - 3])
    expect((await rita.get(changesFrom(boardId, 3))).status).toBe(200)
  }, 60_000)

  it('refuses a listing that would be computed past the instance’s share, but lets one join an identical listing in flight', async () => {
    const { boardId, owner, rita, rolf } = await team({ HISTORY_READS_PER_INSTANCE: '2' })
    reading.hold()
    const held = [rita.get(changesFrom(boardId, 1)), rolf.get(changesFrom(boardId, 2))]
    await waitFor(() => reading.waiting === 2, 'both listings to be held')

    expectRefused(await owner.get(changesFrom(boardId, 3)), 'history_reads_busy')
    const joined = owner.get(changesFrom(boardId, 2))
    await waitFor(async () => (await counted('assay_history_reads_shared_total', { kind: 'changes' })) === 1, 'the owner’s listing to join')
    expect(reading.waiting).toBe(2)

    reading.release()
    const answers = await Promise.all([...held, joined])
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(answers[2]!.body).toEqual(answers[1]!.body)
  }, 60_000)

  it('keeps a listing for the identical next one until the log changes, naming an author renamed since anew', async () => {
    const { boardId, rita, rolf, editorId } = await team()
    const path = `/api/boards/${boardId}/history/changes?limit=5000&from=2026-11-30T07:00:00Z`
    const first = await rita.get<AssessmentChange[]>(path)
    expect(first.status).toBe(200)
    const reads = changeReads
    // Another reviewer's identical listing, the same query in another notation: served from what was kept.
    const again = await rolf.get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?from=${encodeURIComponent('2026-11-30T08:00:00+01:00')}&limit=5000`)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect(changeReads).toBe(reads)
    expect(await counted('assay_history_reads_cached_total', { kind: 'changes' })).toBe(1)

    await renameAccount(server, editorId, 'Bo Lindqvist-Hale')
    const renamed = await rita.get<AssessmentChange[]>(path)
    expect(changeReads).toBe(reads)
    expect(renamed.body.at(-1)!.by).toEqual({ userId: editorId, name: 'Bo Lindqvist-Hale' })
    expect(renamed.body.map(({ by: _by, ...change }) => change)).toEqual(first.body.map(({ by: _by, ...change }) => change))

    // New changes recorded: read again, and they are listed.
    await recordChanges(server.services.storage, boardId, turnsOf(2, [`ws:${editorId}`, 'server:Olga Owner'], START + TURNS * 1000, (turn) => ({ assessmentId: 'a2', field: 'title', from: `${turn}`, to: `${turn + 1}` })))
    const after = await rita.get<AssessmentChange[]>(path)
    expect(after.body).toHaveLength(TURNS + 2)
    expect(changeReads).toBeGreaterThan(reads)
  }, 60_000)

  it('counts what a listing sends against what its reader may load a minute, a kept one too', async () => {
    // 40 changes of a 2,000-character judgment: some 160 kB a listing, more than the 64 KiB a minute allowed.
    const { boardId, rita, rolf } = await team({ LOADED_BYTES_PER_MINUTE_PER_PERSON: '65536' }, 2_000)
    const path = `/api/boards/${boardId}/history/changes`
    expect((await rita.get(path)).status).toBe(200)
    const refused = await rita.get(path)
    expectRefused(refused, 'loading_too_much')
    // Another person's allowance is their own.
    expect((await rolf.get(path)).status).toBe(200)
  }, 60_000)
})
