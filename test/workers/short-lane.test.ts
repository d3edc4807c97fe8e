/**
 * A board read, a settings change and the checks while a reviewer's PDF
 * export holds the worker pool's only general thread (`WORKER_THREADS` 1, as
 * on 2 cores). Each of those is answered by a short job (`read-board`,
 * `check-version`), which waited behind the export: a reviewer's PDF loops
 * held another member's board reads 13 to 18 s and a settings change 16 s
 * (red team 32b). Now short jobs have a lane of their own, whose thread long
 * jobs never take: each is answered while the export still runs.
 */
import { expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { perTest } from '../helpers/per-test.ts'

/** Cards of 20,000-character judgments: the board's PDF holds the thread for tens of seconds, and the test stops it sooner. */
const BATCHES = 3
const BATCH_CARDS = 60

// An export budget far past the test's: the export ends only when the test stops it.
const running = perTest(
  () => startTestServer({ accounts: true, env: { METRICS_TOKEN, WORKER_THREADS: '1', EXPORT_TIME_BUDGET_MS: '600000' } }),
  (server) => server.destroy(),
)

/** A member's headers, signed in by an API token. */
async function member(on: TestServer, boardId: string, name: string, role: 'editor' | 'reviewer'): Promise<{ authorization: string }> {
  const account = await addAccount(on, { name })
  await addMember(on, boardId, account, role)
  return { authorization: `Bearer ${(await addToken(on, account)).token}` }
}

it("answers another member's board read, settings change and checks while a reviewer's export holds the only general thread", async () => {
  const ownerAccount = await addAccount(running, { name: 'Olga Owner' })
  const owner = apiClient(running.url, { authorization: `Bearer ${(await addToken(running, ownerAccount)).token}` })
  const boardId = await owner.createBoard('Heavy')
  for (let batch = 0; batch < BATCHES; batch++) {
    const operations = Array.from({ length: BATCH_CARDS }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${batch}.${i}`, judgment: wordsText(20_000, 7) } }))
    expect((await owner.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
  }
  const reviewer = await member(running, boardId, 'Rita Reviewer', 'reviewer')
  const editor = apiClient(running.url, await member(running, boardId, 'Eddie Editor', 'editor'))
  const metrics = async () => metricsText(running)
  const done = async (job: string) => sample(await metrics(), 'assay_worker_job_duration_seconds_count', { job, outcome: 'done' }) ?? 0
  const exportRunning = async () => sample(await metrics(), 'assay_worker_lane_jobs_running', { lane: 'general', job: 'export-board' }) === 1

  const events: string[] = []
  const stopExport = new AbortController()
  const exported = fetch(`${running.url}/api/boards/${boardId}/export?format=pdf`, {
    headers: reviewer,
    signal: stopExport.signal,
  }).then(
    (response) => events.push(`export answered ${response.status}`),
    () => events.push('export stopped'),
  )
  await waitFor(() => running.services.workers.load.running === 1, 'the export to run', 60_000)

  const [readsBefore, checksBefore] = [await done('read-board'), await done('check-version')]
  const read = await editor.get<BoardModel>(`/api/boards/${boardId}`)
  events.push(`read answered ${read.status}`)
  const changed = await editor.patch<BoardModel>(`/api/boards/${boardId}`, { title: 'Heavy, renamed' })
  events.push(`settings answered ${changed.status}`)
  const checks = await editor.get(`/api/boards/${boardId}/checks`)
  events.push(`checks answered ${checks.status}`)

  // All three before the export's answer, each by a job that ran while the export still held its thread.
  expect(events).toEqual(['read answered 200', 'settings answered 200', 'checks answered 200'])
  expect(read.body.assessments).toHaveLength(BATCHES * BATCH_CARDS)
  expect(changed.body.title).toBe('Heavy, renamed')
  expect(await exportRunning()).toBe(true)
  expect(await done('read-board')).toBeGreaterThan(readsBefore)
  expect(await done('check-version')).toBeGreaterThan(checksBefore)
  const text = await metrics()
  expect(sample(text, 'assay_worker_lane_threads', { lane: 'general' })).toBe(1)
  expect(sample(text, 'assay_worker_lane_threads', { lane: 'short' })).toBe(1)

  stopExport.abort()
  await exported
  expect(events.at(-1)).toBe('export stopped')
  await waitFor(() => running.services.workers.load.running === 0 && running.services.workers.load.queued === 0, 'the pool idle once the export is stopped')
}, 300_000)
