/**
 * The analytic checks of the board as it was at a past time
 * (`GET /checks?asOf=`), which the export dialog lists before an export of
 * that moment: the findings then, not now; and the same refusals as the
 * export of a past time.
 */
import { afterEach, expect, it } from 'vitest'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer
afterEach(async () => {
  await server.destroy()
})

it('lists the findings of the board as it was at a past time, and refuses a time it cannot answer for', async () => {
  const clock = testClock()
  server = await startTestServer({ access: () => openAccess(), clock })
  const api = apiClient(server.url)
  const before = clock.iso()
  clock.advance(MINUTE)
  const boardId = await api.createBoard('Checks as of')
  const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })).body.id
  const claimId = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'Wagner fighters arrived in Belarus.', sourceId: source, credibility: 2 })).body.id
  const assessmentId = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Incursion into Lithuania', kind: 'key-judgment', likelihood: 3 })).body.id
  const unsupported = clock.advance(MINUTE)
  clock.advance(MINUTE)
  expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId, claimId, rating: 'C' })).status).toBe(201)
  clock.advance(MINUTE)

  const rules = (report: ChecksReport) => report.findings.filter((f) => f.subject.kind === 'assessment' && f.subject.id === assessmentId).map((f) => f.rule)
  const live = await api.get<ChecksReport>(`/api/boards/${boardId}/checks`)
  expect(live.status).toBe(200)
  const then = await api.get<ChecksReport>(`/api/boards/${boardId}/checks?asOf=${encodeURIComponent(unsupported)}`)
  expect(then.status).toBe(200)
  // Unsupported then, supported now: the key judgment's finding is the past moment's only.
  const onlyThen = rules(then.body).filter((rule) => !rules(live.body).includes(rule))
  expect(onlyThen.length).toBeGreaterThan(0)
  expect(then.body.titles[assessmentId]).toBe('Incursion into Lithuania')

  const refused = async (query: string, status: number) => {
    const response = await api.get<{ error: { message: string } }>(`/api/boards/${boardId}/checks?${query}`)
    expect(response.status, query).toBe(status)
    return response.body.error.message
  }
  expect(await refused(`asOf=${encodeURIComponent(before)}`, 404)).toContain('did not exist yet')
  expect(await refused('asOf=2099-01-01T00:00:00Z', 400)).toContain('in the future')
  expect(await refused(`asOf=${encodeURIComponent(unsupported)}&snapshot=whatever`, 400)).toContain('not both')
})
