/**
 * What one member's long work may cost the worker pool, on the real server
 * with one worker thread. A member's own board, filled within their hourly
 * bytes, made every PDF export overrun its time budget, and asking for it
 * again and again, one request at a time, held the only thread for good: an
 * honest member's Markdown export of a one-card board waited 54 to 66 s for
 * it. Now an export that overran is refused at once until its board changes,
 * each person's jobs are charged the worker time they take, past which theirs
 * are refused while others' run, and a job whose client has gone is dropped
 * from the queue or stopped.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { wordsText } from '../helpers/large-inputs.ts'

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; detail: Record<string, unknown> }

/** Cards of long judgments: a PDF of them takes seconds of a worker thread, far past the budgets set below. */
const CARDS = 60
const JUDGMENT = wordsText(20_000, 7)

let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

type Person = { account: TestAccount; api: ApiClient; token: string }

/** A server with one worker thread and metrics; `env` sets its budgets; `logSink` hears every log line. */
async function serve(env: Record<string, string>, logSink?: (line: string) => void): Promise<TestServer> {
  server = await startTestServer({ accounts: true, env: { WORKER_THREADS: '1', METRICS_TOKEN, ...env }, ...(logSink ? { logSink } : {}) })
  return server
}

async function person(on: TestServer, name: string): Promise<Person> {
  const account = await addAccount(on, { name })
  const { token } = await addToken(on, account)
  return { account, token, api: apiClient(on.url, { authorization: `Bearer ${token}` }) }
}

/** A board of the member's own, filled within their hourly bytes, as the red team's was. */
async function heavyBoard(owner: Person): Promise<string> {
  const boardId = await owner.api.createBoard('Heavy')
  const operations = Array.from({ length: CARDS }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${i}`, judgment: JUDGMENT } }))
  expect((await owner.api.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
  return boardId
}

/** How many export jobs settled with `outcome`, as the metrics count them. */
async function exportJobs(on: TestServer, outcome: string): Promise<number> {
  const text = await metricsText(on)
  return sample(text, 'assay_worker_job_duration_seconds_count', { job: 'export-board', outcome }) ?? 0
}

function exportPath(boardId: string, format: string): string {
  return `/api/boards/${boardId}/export?format=${format}`
}

describe('an export that overran its time budget', () => {
  it('is refused at once, without a job, until its board changes; the overrun is audited, the refusals after it not, and other formats still run', async () => {
    const lines: string[] = []
    const on = await serve({ EXPORT_TIME_BUDGET_MS: '300' }, (line) => lines.push(line))
    const owner = await person(on, 'Fay Owner')
    const boardId = await heavyBoard(owner)

    const first = await owner.api.get<ErrorBody>(exportPath(boardId, 'pdf'))
    expect([first.status, first.body.error.code]).toEqual([422, 'over_time_budget'])
    expect(await exportJobs(on, 'over-time')).toBe(1)
    // The log names whose job overran, and on which board.
    const overruns = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'worker job over its time budget: thread stopped')
    expect(overruns.map(({ job, owner: by, boardId: about }) => ({ job, by, about }))).toEqual([{ job: 'export-board', by: owner.account.id, about: boardId }])

    // Asked again for the same version: the same answer, and no job started for it.
    const again = await owner.api.get<ErrorBody>(exportPath(boardId, 'pdf'))
    expect([again.status, again.body.error.code]).toEqual([422, 'over_time_budget'])
    expect(again.body.error.message).toMatch(/when it was last asked for, and nothing it reads has changed since/)
    expect([await exportJobs(on, 'over-time'), await exportJobs(on, 'overran-before')]).toEqual([1, 1])

    // Another format of the same version is other work: it runs (within the budget or not).
    const ranBefore = (await exportJobs(on, 'over-time')) + (await exportJobs(on, 'done'))
    expect([200, 422]).toContain((await owner.api.get(exportPath(boardId, 'md'))).status)
    expect((await exportJobs(on, 'over-time')) + (await exportJobs(on, 'done'))).toBe(ranBefore + 1)

    // Once the board changes, the PDF is worked out again (and overruns again).
    const overrunsBefore = await exportJobs(on, 'over-time')
    expect((await owner.api.patch(`/api/boards/${boardId}`, { title: 'Heavy, renamed' })).status).toBe(200)
    expect((await owner.api.get(exportPath(boardId, 'pdf'))).status).toBe(422)
    expect([await exportJobs(on, 'over-time'), await exportJobs(on, 'overran-before')]).toEqual([overrunsBefore + 1, 1])

    const audit = await owner.api.get<AuditEntry[]>(`/api/boards/${boardId}/audit`)
    const failed = audit.body.filter((entry) => entry.action === 'export-failed').map((entry) => entry.detail)
    // A refusal at once read and made nothing: neither audited nor counted against the exports allowance.
    expect(failed.filter((detail) => detail.refusal === 'overran-before')).toEqual([])
    expect(failed.filter((detail) => detail.refusal === 'over-time' && detail.format === 'pdf')).toHaveLength(2)
  })
})

describe("a person's worker time", () => {
  it("once spent refuses that person's next jobs with 429 and Retry-After, while another member's are served", async () => {
    // One overrun of 1.5 s spends more than the second a person may have.
    const on = await serve({ EXPORT_TIME_BUDGET_MS: '1500', WORKER_SECONDS_PER_HOUR_PER_PERSON: '1' })
    const hog = await person(on, 'Fay Hog')
    const boardId = await heavyBoard(hog)
    const other = await person(on, 'Gus Honest')
    await addMember(on, boardId, other.account, 'reviewer')
    // The honest member's own board of one card: its export takes a fraction of the budget.
    const small = await other.api.createBoard('Small')
    expect((await other.api.post(`/api/boards/${small}/assessments`, { title: 'Honest card', judgment: 'text' })).status).toBe(201)

    expect((await hog.api.get(exportPath(boardId, 'pdf'))).status).toBe(422)
    const refused = await hog.api.get<ErrorBody>(exportPath(boardId, 'md'))
    expect([refused.status, refused.body.error.code]).toEqual([429, 'worker_time_spent'])
    expect(refused.body.error.message).toMatch(/WORKER_SECONDS_PER_HOUR_PER_PERSON/)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // A board read is a job too.
    expect((await hog.api.get<ErrorBody>(`/api/boards/${boardId}`)).status).toBe(429)

    // The other member's job is served meanwhile.
    expect((await other.api.get<string>(exportPath(small, 'md'))).status).toBe(200)
    expect(await exportJobs(on, 'worker-time-spent')).toBe(1)
  })
})

describe('a request whose client has gone', () => {
  it('has its waiting job dropped and its running job stopped; a board read other readers share runs on', async () => {
    // The board's room stays loaded through the test, so that its readers share one read; no short lane, so that the
    // read waits behind the PDF as the exports do, and is still to run when its first reader leaves.
    const on = await serve({ EXPORT_TIME_BUDGET_MS: '120000', ROOM_IDLE_MS: '600000', WORKER_SHORT_LANE_THREADS: '0' })
    const owner = await person(on, 'Fay Owner')
    const boardId = await heavyBoard(owner)
    const send = (path: string, signal?: AbortSignal) => fetch(`${on.url}${path}`, { headers: { authorization: `Bearer ${owner.token}` }, signal })
    const pool = on.services.workers
    const gone = (request: Promise<Response>) => request.then(
      () => 'answered',
      () => 'aborted',
    )

    // The PDF holds the one thread; a Markdown export waits behind it.
    const pdf = new AbortController()
    const pdfAsked = gone(send(exportPath(boardId, 'pdf'), pdf.signal))
    await waitFor(() => pool.load.running === 1, 'the PDF to run')
    const md = new AbortController()
    const mdAsked = gone(send(exportPath(boardId, 'md'), md.signal))
    await waitFor(() => pool.load.queued === 1, 'the Markdown export to wait')

    // Two readers of the board after a change share one read, which waits too; the first leaving does not drop it.
    // (A new card is answered with itself, read alone: no job.)
    expect((await owner.api.post(`/api/boards/${boardId}/assessments`, { title: 'Added meanwhile' })).status).toBe(201)
    const leaving = new AbortController()
    const leftRead = gone(send(`/api/boards/${boardId}`, leaving.signal))
    await waitFor(() => pool.load.queued === 2, 'the board read to wait')
    const staying = send(`/api/boards/${boardId}`)

    md.abort()
    await waitFor(async () => (await exportJobs(on, 'cancelled')) === 1, 'the waiting export to be dropped')
    expect(pool.load).toMatchObject({ running: 1, queued: 1 })
    leaving.abort()
    pdf.abort()
    await waitFor(async () => (await exportJobs(on, 'cancelled')) === 2, 'the running export to be stopped')

    const read = await staying
    expect(read.status).toBe(200)
    expect(((await read.json()) as { assessments: { title: string }[] }).assessments.at(-1)?.title).toBe('Added meanwhile')
    expect(await Promise.all([pdfAsked, mdAsked, leftRead])).toEqual(['aborted', 'aborted', 'aborted'])
    expect(await exportJobs(on, 'done')).toBe(0)
  })
})
