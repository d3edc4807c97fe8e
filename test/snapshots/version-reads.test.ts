/**
 * A snapshot's checks, a comparison of two versions and a snapshot's export
 * each read whole versions of the board (snapshots' states, the live log) on
 * the relay's thread, and only then asked the worker pool for a job, which
 * refused most of a flood too_many_tasks once all of it had read: a
 * reviewer's 16 requests at once on a 14 MB board held every board's
 * /healthz for up to 3.2 s (the red team 26). Now a request takes its
 * person's worker slot before it reads anything, and refused reads nothing
 * and costs none of the exports allowance; these reads are costly history
 * reads (identical ones share one computation, a comparison of two snapshots
 * is kept), charged to the person's loaded bytes, and a snapshot's checks and
 * a comparison have an hourly allowance. A gate in front of the snapshots'
 * stored states holds the reads for as long as the test needs and counts
 * those that reach the database. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { gateSnapshotStates } from '../helpers/snapshot-state-gate.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { metricsText, METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

type ErrorBody = { error: { code: string } }

describeEachDialect(postgresMissing, 'reads of whole versions (checks of a snapshot, comparisons, snapshot exports) on %s', (dialect) => {
  /** Held, every read of a snapshot's stored state waits as it begins. */
  const reading = new Gate()
  /** Reads of a snapshot's stored state that reached the database. */
  let stateReads = 0
  let server: TestServer

  afterEach(async () => {
    reading.release()
    stateReads = 0
    await server.destroy()
  })

  const gated = (storage: Storage): Storage =>
    gateSnapshotStates(storage, async () => {
      stateReads++
      await reading.pass()
    })

  /** An owner's board with two snapshots, the second of it with `judgments` more judgments of 20,000 characters; a reviewer. */
  async function team(env: Record<string, string>, judgments = 0) {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: gated, env: { METRICS_TOKEN, ...env } })
    const ownerAccount = await addAccount(server, { name: 'Olga Owner' })
    const owner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, ownerAccount)).token}` })
    const boardId = await owner.createBoard('Wagner mutiny — Vilnius')
    const ritaAccount = await addAccount(server, { name: 'Rita Reviewer' })
    await addMember(server, boardId, ritaAccount, 'reviewer')
    const rita = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, ritaAccount)).token}` })
    const base = `/api/boards/${boardId}`
    expect((await owner.post(`${base}/assessments`, { title: 'Convoy moved north', judgment: 'It is likely the convoy moved north.' })).status).toBe(201)
    const first = await owner.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Morning' })
    expect((await owner.post(`${base}/assessments`, { title: 'Convoy turned back', judgment: 'Roughly even odds it turned back.' })).status).toBe(201)
    for (let made = 0; made < judgments; made++) {
      expect((await owner.post(`${base}/assessments`, { title: `Supply route ${made}`, judgment: wordsText(20_000, made) })).status).toBe(201)
    }
    const second = await owner.post<SnapshotSummary>(`${base}/snapshots`, { label: 'Evening' })
    expect([first.status, second.status]).toEqual([201, 201])
    stateReads = 0
    return { owner, rita, base, s1: first.body.id, s2: second.body.id }
  }

  function expectRefused(response: ApiResponse, code: string): void {
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).not.toBeNull()
    expect((response.body as ErrorBody).error.code).toBe(code)
  }

  const counted = async (name: string, labels: Record<string, string>) => sample(await metricsText(server), name, labels) ?? 0

  /** Each request's answer as it comes, in the order asked. */
  function fired(api: ApiClient, paths: string[]): { answers: Promise<ApiResponse[]>; settled: ApiResponse[] } {
    const settled: ApiResponse[] = []
    const answers = Promise.all(paths.map((path) => api.get(path).then((answer) => (settled.push(answer), answer))))
    return { answers, settled }
  }

  it("refuses a reviewer's version reads past their worker slots before any reads storage, and charges the refused exports nothing", async () => {
    // The history reads' bounds set wide, so that the worker slots are what refuses.
    const { rita, base, s1, s2 } = await team({
      WORKER_JOBS_PER_PERSON: '2',
      HISTORY_READS_PER_PERSON: '50',
      HISTORY_READS_PER_INSTANCE: '50',
      // As many as the flood's exports: each is counted while it is under way, and given back once refused.
      EXPORTS_PER_HOUR_PER_PERSON: '3',
    })
    reading.hold()
    // Two checks of a snapshot take the reviewer's two slots, each holding one read of a state at the gate.
    const holding = fired(rita, [`${base}/checks?snapshot=${s2}`, `${base}/checks?snapshot=${s1}`])
    await waitFor(() => reading.waiting === 2, 'the two checks to reach the database')

    // Every other read of a version, each a different computation, is refused at once without reaching the database.
    const flood = fired(rita, [
      `${base}/checks?snapshot=${s2}&scope=final`,
      `${base}/checks?snapshot=${s1}&scope=in-review`,
      `${base}/diff?from=${s1}&to=${s2}`,
      `${base}/diff?from=${s2}&to=${s1}`,
      `${base}/diff?from=${s1}`,
      `${base}/export?format=json&snapshot=${s1}`,
      `${base}/export?format=json&snapshot=${s2}`,
      `${base}/export?format=md&snapshot=${s2}`,
    ])
    await waitFor(() => flood.settled.length === 8, 'the requests past the slots to be answered')
    for (const answer of await flood.answers) expectRefused(answer, 'too_many_tasks')
    expect(stateReads).toBe(2)
    expect(holding.settled).toHaveLength(0)

    reading.release()
    expect((await holding.answers).map((answer) => answer.status)).toEqual([200, 200])
    // The three refused exports cost none of the three allowed: three are served, a fourth refused by the allowance.
    expect((await rita.get(`${base}/export?format=json&snapshot=${s1}`)).status).toBe(200)
    expect((await rita.get(`${base}/export?format=md&snapshot=${s2}`)).status).toBe(200)
    expect((await rita.get(`${base}/export?format=json&snapshot=${s2}`)).status).toBe(200)
    const reads = stateReads
    expectRefused(await rita.get(`${base}/export?format=md&snapshot=${s1}`), 'rate_limited')
    expect(stateReads).toBe(reads)
  }, 60_000)

  it('computes identical reads once, keeps a comparison of two snapshots, and refuses past the hourly allowance without reading', async () => {
    const { owner, rita, base, s1, s2 } = await team({ VERSION_READS_PER_HOUR_PER_PERSON: '7' })
    const diff = `${base}/diff?from=${s1}&to=${s2}`
    reading.hold()
    // The reviewer's two identical comparisons and the owner's: one computation, reading each snapshot once.
    const identical = [fired(rita, [diff, diff]), fired(owner, [diff])]
    await waitFor(async () => (await counted('assay_history_reads_shared_total', { kind: 'diff' })) === 2, 'the identical comparisons to join the first')
    // The two that joined are counted as they join, maybe before the one computation reaches the two snapshots' reads.
    await waitFor(() => reading.waiting === 2, 'the one computation to read both snapshots')
    expect(stateReads).toBe(2)
    reading.release()
    const answers = (await Promise.all(identical.map((each) => each.answers))).flat()
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1)

    // Two snapshots never change: the same comparison later is served as kept, reading nothing.
    expect((await rita.get(diff)).body).toEqual(answers[0]!.body)
    expect(stateReads).toBe(2)
    expect(await counted('assay_history_reads_cached_total', { kind: 'diff' })).toBe(1)

    // A snapshot's checks are kept while the live board is unchanged (what is retracted since depends on it), read again after an edit.
    const checks = `${base}/checks?snapshot=${s2}`
    expect((await rita.get(checks)).status).toBe(200)
    const checked = stateReads
    expect((await rita.get(checks)).status).toBe(200)
    expect(stateReads).toBe(checked)
    expect((await owner.post(`${base}/assessments`, { title: 'Convoy stood down' })).status).toBe(201)
    expect((await rita.get(checks)).status).toBe(200)
    expect(stateReads).toBeGreaterThan(checked)

    // Seven served of the reviewer's allowance (kept answers too); the next is refused before anything is read.
    expect((await rita.get(`${base}/diff?from=${s2}&to=${s1}`)).status).toBe(200)
    const reads = stateReads
    expectRefused(await rita.get(`${base}/diff?from=${s1}`), 'rate_limited')
    expectRefused(await rita.get(`${base}/checks?snapshot=${s1}`), 'rate_limited')
    expect(stateReads).toBe(reads)
    // The owner has an allowance of their own.
    expect((await owner.get(`${base}/checks?snapshot=${s1}`)).status).toBe(200)
  }, 60_000)

  it("charges what a version read takes from storage to its person's loaded bytes, and refuses the next read once they are spent", async () => {
    // The second snapshot and the live board each hold some 40 kB: one read of both is past the minute's 64 KiB.
    const { owner, rita, base, s2 } = await team({ LOADED_BYTES_PER_MINUTE_PER_PERSON: String(65_536) }, 2)
    expect((await rita.get(`${base}/checks?snapshot=${s2}`)).status).toBe(200)
    const reads = stateReads
    expectRefused(await rita.get(`${base}/checks?snapshot=${s2}&scope=final`), 'loading_too_much')
    expectRefused(await rita.get(`${base}/diff?from=${s2}`), 'loading_too_much')
    expectRefused(await rita.get(`${base}/export?format=json&snapshot=${s2}`), 'loading_too_much')
    expect(stateReads).toBe(reads)
    // The owner's minute is their own.
    expect((await owner.get(`${base}/diff?from=${s2}`)).status).toBe(200)
  }, 60_000)
})
