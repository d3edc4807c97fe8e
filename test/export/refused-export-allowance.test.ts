/**
 * An export refused before any work (404 for a snapshot not there, the same
 * too-large export again) spends none of its person's
 * EXPORTS_PER_HOUR_PER_PERSON: such refusals had counted as exports made, so a
 * member whose board had outgrown the briefing's ceiling was refused the
 * bundle they could still have had. One refused after its work is audited, so
 * it spends one as an export made does: given back too, 200 rounds of a tiny
 * edit and a too-large PDF wrote 201 audit rows against an allowance of 5. Its
 * work is also charged where it was done (the board's read to the person's
 * loaded bytes, the thread's time to their worker time), and the same export
 * is then refused at once, reading and auditing nothing, until what it reads
 * changes; so refusals are no loop of work without bound.
 */
import { describe, expect, it } from 'vitest'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { perTest } from '../helpers/per-test.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string } }
type AuditEntry = { action: string; detail: Record<string, unknown> }

const EXPORTS_PER_HOUR = 4
/** Refusals audited after their work below: each spends one. */
const AUDITED_REFUSALS = 2
const REFUSALS = 6

/** How many export jobs settled with `outcome`, with their seconds on a thread, as the metrics count them. */
async function exportJobs(on: TestServer, outcome: string): Promise<{ count: number; seconds: number }> {
  const text = await metricsText(on)
  const labels = { job: 'export-board', outcome }
  return { count: sample(text, 'assay_worker_job_duration_seconds_count', labels) ?? 0, seconds: sample(text, 'assay_worker_job_duration_seconds_sum', labels) ?? 0 }
}

describe('a refused export', () => {
  const server = perTest(
    () => startTestServer({ accounts: true, env: { EXPORTS_PER_HOUR_PER_PERSON: String(EXPORTS_PER_HOUR), BRIEFING_MAX_CHARS: '50000', WORKER_THREADS: '1', METRICS_TOKEN } }),
    (opened) => opened.destroy(),
  )

  it('spends the exports allowance only when refused after its work, and audited; then it is refused at once, until the board changes', async () => {
    const owner = await addAccount(server, { name: 'Olga Owner' })
    const api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
    const boardId = await api.createBoard('Outgrown')
    // Three judgments of 20,000 characters: 60,000 characters of text, past the ceiling of 50,000.
    const operations = [0, 1, 2].map((i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${i}`, judgment: wordsText(20_000, i + 1) } }))
    expect((await api.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
    const tooLarge = async () => {
      const refused = await api.get<ErrorBody>(`/api/boards/${boardId}/export?format=md`)
      return [refused.status, refused.body.error.code]
    }

    for (let i = 0; i < REFUSALS; i++) expect(await tooLarge()).toEqual([422, 'briefing_too_large'])
    for (let i = 0; i < REFUSALS; i++) expect((await api.get(`/api/boards/${boardId}/export?format=md&snapshot=not-there`)).status).toBe(404)

    // Only the first request for the Markdown read the board and worked its briefing out, charged to the owner's worker
    // time; the others were refused with no work (counted apart, as failed before), and only that one is audited.
    const failed = await exportJobs(server, 'error')
    expect(failed.count).toBe(1)
    expect(failed.seconds).toBeGreaterThan(0)
    expect(await exportJobs(server, 'failed-before')).toEqual({ count: REFUSALS - 1, seconds: 0 })
    const audited = async () =>
      (await api.get<AuditEntry[]>(`/api/boards/${boardId}/audit`)).body.filter((entry) => entry.action === 'export-failed').map((entry) => entry.detail.refusal)
    expect(await audited()).toEqual(['too-large'])

    // Once the board changes, the briefing is worked out again: audited again, and spending one more.
    expect((await api.patch(`/api/boards/${boardId}`, { title: 'Outgrown, renamed' })).status).toBe(200)
    expect(await tooLarge()).toEqual([422, 'briefing_too_large'])
    expect(await audited()).toEqual(['too-large', 'too-large'])

    // Only the two audited refusals spent the allowance: two exports made, and the next refused for it.
    const left = EXPORTS_PER_HOUR - AUDITED_REFUSALS
    const statuses = []
    for (let i = 0; i <= left; i++) statuses.push((await api.get(`/api/boards/${boardId}/export?format=stix`)).status)
    expect(statuses).toEqual([...Array<number>(left).fill(200), 429])
  })
})
