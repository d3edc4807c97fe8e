/**
 * Work whose cost a member controls never stalls the relay: a reviewer's diff
 * of two very different 20,000-character judgments, an editor's 1.4 MB
 * import. Each runs in the worker pool while another board keeps relaying;
 * a job over its time or memory bound gets a clear error and the next job
 * runs; work beyond the queue is refused with 503 and Retry-After; and one
 * person asking again and again cannot keep the others' work out of the pool.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BoardDiff, FieldChange, TextEdit } from '../../shared/board-diff.ts'
import type { AssessmentModel, BoardModel } from '../../shared/board-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/api.ts'
import { echoProbe, type EchoProbe } from '../helpers/echo-probe.ts'
import { largeSourceDocument, wordsText } from '../helpers/large-inputs.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'
import { startTeam, type Team } from '../snapshots/team.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'

type DiffBody = { empty: boolean; diff: BoardDiff }
type ErrorBody = { error: { code: string; message: string } }
type ImportBody = { outcome: string; createdClaimIds: string[] }

/** What the issue measured: 58.6 s on the main thread for two such judgments. */
const BEFORE = wordsText(20_000, 1)
const AFTER = wordsText(20_000, 2)
/** The import: 1 to 3.5 s on the main thread. */
const LARGE_DOCUMENT = largeSourceDocument(1_400_000)

function judgmentChange(body: DiffBody): FieldChange<AssessmentModel> | undefined {
  return body.diff.assessments.changed[0]?.fields.find((field) => field.field === 'judgment')
}

function side(words: TextEdit[], kept: 'added' | 'removed'): string {
  return words
    .filter((edit) => edit.change !== kept)
    .map((edit) => edit.text)
    .join('')
}

describe('a reviewer comparing versions', () => {
  let team: Team
  let probe: EchoProbe | undefined
  afterEach(async () => {
    probe?.destroy()
    probe = undefined
    await team.close()
  })

  /** A snapshot of a card whose 20,000-character judgment is then replaced by one sharing no word with it. */
  async function rewrittenJudgment(): Promise<{ base: string; snapshotId: string }> {
    const base = `/api/boards/${team.boardId}`
    const card = await team.editor.post<{ id: string }>(`${base}/assessments`, { title: 'Long judgment', judgment: BEFORE })
    expect(card.status).toBe(201)
    const before = await team.editor.post<SnapshotSummary>(`${base}/snapshots`, { label: 'before' })
    expect(before.status).toBe(201)
    expect((await team.editor.patch(`${base}/assessments/${card.body.id}`, { judgment: AFTER })).status).toBe(200)
    return { base, snapshotId: before.body.id }
  }

  it('answers the diff of two 20,000-character judgments while another board keeps relaying', async () => {
    team = await startTeam('sqlite')
    const { base, snapshotId } = await rewrittenJudgment()
    // An ordinary comparison first (the other way round: the same one would be served as kept): it starts the worker thread.
    const title = await team.editor.post<{ id: string }>(`${base}/assessments`, { title: 'Short title' })
    const small = await team.reviewer.get<DiffBody>(`${base}/diff?from=live&to=${snapshotId}`)
    expect(small.status).toBe(200)
    expect(small.body.diff.assessments.removed.map((a) => a.id)).toEqual([title.body.id])

    const elsewhere = await team.editor.createBoard('Another board')
    probe = await echoProbe(() => connectClient(team.server.wsUrl, elsewhere, {}, { authorization: `Bearer ${team.editor.token}` }))
    const { result, roundTrips } = await probe.during(team.reviewer.get<DiffBody>(`${base}/diff?from=${snapshotId}`))

    expect(result.status).toBe(200)
    const judgment = judgmentChange(result.body)
    expect(judgment).toMatchObject({ from: BEFORE, to: AFTER })
    // Either a full word diff (it finished within the budget) or a coarse change saying why it has none.
    if (judgment?.words) {
      expect(side(judgment.words, 'added')).toBe(BEFORE)
      expect(side(judgment.words, 'removed')).toBe(AFTER)
    } else expect(judgment?.wordsSkipped).toBe('over-budget')
    expect(roundTrips).toBeGreaterThanOrEqual(3)
  })

  it('compares texts over the size bound as changed, without a word diff', async () => {
    team = await startTeam('sqlite', { DIFF_MAX_TEXT_CHARS: '5000' })
    const { base, snapshotId } = await rewrittenJudgment()
    const diff = await team.reviewer.get<DiffBody>(`${base}/diff?from=${snapshotId}`)
    expect(diff.status).toBe(200)
    expect(judgmentChange(diff.body)).toEqual({ field: 'judgment', from: BEFORE, to: AFTER, wordsSkipped: 'too-long' })
  })

  it('refuses comparisons beyond the queue with 503 and Retry-After, and answers the others', async () => {
    // Four different comparisons (identical ones would share one), none refused by the history reads' bounds.
    team = await startTeam('sqlite', { WORKER_THREADS: '1', WORKER_QUEUE_LIMIT: '1', HISTORY_READS_PER_PERSON: '8', HISTORY_READS_PER_INSTANCE: '8', METRICS_TOKEN })
    const { base, snapshotId } = await rewrittenJudgment()
    const versions = [`from=${snapshotId}&to=live`, `from=live&to=${snapshotId}`, `from=${snapshotId}&to=${snapshotId}`, 'from=live&to=live']
    const answers = await Promise.all(versions.map((compared) => team.reviewer.get<DiffBody | ErrorBody>(`${base}/diff?${compared}`)))
    const refused = answers.filter((answer) => answer.status === 503)
    expect(refused.length).toBeGreaterThanOrEqual(1)
    for (const answer of refused) {
      expect(answer.headers.get('retry-after')).toBe('5')
      expect((answer.body as ErrorBody).error.code).toBe('busy')
      expect((answer.body as ErrorBody).error.message).toMatch(/Try again in a few seconds/)
    }
    const answered = answers.filter((answer) => answer.status !== 503)
    expect(answered.length).toBeGreaterThanOrEqual(1)
    for (const answer of answered) expect(answer.status).toBe(200)
    if (answers[0]!.status === 200) expect(judgmentChange(answers[0]!.body as DiffBody)).toMatchObject({ from: BEFORE, to: AFTER })
    // Operators see it: the metrics count each comparison by how it ended.
    const metrics = await metricsText(team.server)
    const comparisons = (outcome: string) => sample(metrics, 'assay_worker_job_duration_seconds_count', { job: 'diff-versions', outcome })
    expect(comparisons('busy')).toBe(refused.length)
    expect(comparisons('done')).toBe(answered.length)
  })
})

describe('an editor importing a large document', () => {
  let server: TestServer
  let probe: EchoProbe | undefined
  afterEach(async () => {
    probe?.destroy()
    probe = undefined
    await server.destroy()
  })

  const importInto = (api: ApiClient, boardId: string, text: string, preview = false) =>
    api.post<ImportBody | ErrorBody>(`/api/boards/${boardId}/import`, { text, preview })
  const claimsOn = async (api: ApiClient, boardId: string) => (await api.get<BoardModel>(`/api/boards/${boardId}`)).body.claims.length

  /** The large document on a fresh board: refused with `code` and a message saying what to do, and the board left as it was. */
  async function refusedLargeImport(env: Record<string, string>, code: string, message: RegExp): Promise<{ api: ApiClient; boardId: string }> {
    server = await startTestServer({ env })
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Refused import')
    const refused = (await importInto(api, boardId, LARGE_DOCUMENT)) as ApiResponse<ErrorBody>
    expect(refused.status).toBe(422)
    expect(refused.body.error.code).toBe(code)
    expect(refused.body.error.message).toMatch(message)
    expect(await claimsOn(api, boardId)).toBe(0)
    return { api, boardId }
  }

  it('imports 1.4 MB while another board keeps relaying', async () => {
    server = await startTestServer()
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Large import')
    // Starts the worker thread, so that what follows measures the import itself.
    expect((await importInto(api, boardId, largeSourceDocument(5000), true)).status).toBe(200)
    const elsewhere = await api.createBoard('Another board')
    probe = await echoProbe(() => connectClient(server.wsUrl, elsewhere))

    const { result, roundTrips } = await probe.during(importInto(api, boardId, LARGE_DOCUMENT))

    expect(result.status).toBe(200)
    const imported = result.body as ImportBody
    expect(imported.outcome).toBe('import')
    expect(imported.createdClaimIds.length).toBeGreaterThan(5000)
    expect(await claimsOn(api, boardId)).toBe(imported.createdClaimIds.length)
    expect(roundTrips).toBeGreaterThanOrEqual(3)
    // Imported again, it is recognized and adds nothing.
    expect(((await importInto(api, boardId, LARGE_DOCUMENT)).body as ImportBody).outcome).toBe('already-imported')
  })

  it('stops an import that overruns its time budget with a clear error; the next job runs', async () => {
    const { api, boardId } = await refusedLargeImport(
      { IMPORT_TIME_BUDGET_MS: '100' },
      'over_time_budget',
      /^The import took longer than 100 ms and was stopped\. Split the document .*IMPORT_TIME_BUDGET_MS/,
    )
    const diff = await api.get<DiffBody>(`/api/boards/${boardId}/diff?from=live&to=live`)
    expect(diff.status).toBe(200)
    expect(diff.body.empty).toBe(true)
    expect((await api.get('/healthz')).status).toBe(200)
  })

  it('replaces a worker thread that ran out of memory; the import fails alone and the next one runs', async () => {
    const { api, boardId } = await refusedLargeImport(
      { WORKER_MEMORY_MB: '20' },
      'over_memory_budget',
      /^The import needed more than the 20 MB .*WORKER_MEMORY_MB/,
    )
    const small = await importInto(api, boardId, largeSourceDocument(3000))
    expect(small.status).toBe(200)
    expect(await claimsOn(api, boardId)).toBe((small.body as ImportBody).createdClaimIds.length)
  })
})

describe('a reviewer asking for long work again and again', () => {
  let team: Team
  afterEach(async () => {
    await team.close()
  })

  it("cannot fill the pool's queue: their requests past their share are refused, and the owner's exports are served", async () => {
    // One thread, and a queue that the reviewer's eight requests at a time would fill three times over.
    team = await startTeam('sqlite', { WORKER_THREADS: '1', WORKER_QUEUE_LIMIT: '3', WORKER_JOBS_PER_PERSON: '2' })
    const base = `/api/boards/${team.boardId}`
    expect((await team.editor.post(`${base}/import`, { text: SAMPLE_ARTICLE })).status).toBe(200)
    const snapshot = await team.editor.post<SnapshotSummary>(`${base}/snapshots`, { label: 'imported' })

    let asking = true
    const refusals: { status: number; code: string; retryAfter: string | null }[] = []
    let answered = 0
    const reviewerLoop = async () => {
      while (asking) {
        // A comparison with the live board is worked out in the pool, then kept until the board changes.
        const read = await team.reviewer.get<unknown>(`${base}/diff?from=${snapshot.body.id}&to=live`)
        if (read.status === 200) answered++
        else refusals.push({ status: read.status, code: (read.body as ErrorBody).error.code, retryAfter: read.headers.get('retry-after') })
      }
    }
    const reviewer = Array.from({ length: 8 }, reviewerLoop)
    try {
      await waitFor(() => answered > 0 && refusals.length > 0 || undefined, 'the reviewer to be both answered and refused')
      for (let i = 0; i < 3; i++) {
        const exported = await team.owner.get<string | ErrorBody>(`${base}/export?format=md`)
        expect(exported.status).toBe(200)
      }
    } finally {
      asking = false
      await Promise.all(reviewer)
    }
    // Refused by their share of the pool or of costly history reads (a comparison is one), or, served as kept, by their hourly allowance.
    for (const refusal of refusals) {
      expect(refusal.status).toBe(429)
      expect(['too_many_tasks', 'too_many_history_reads', 'rate_limited']).toContain(refusal.code)
    }
  })
})
