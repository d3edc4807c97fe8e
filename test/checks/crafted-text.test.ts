/**
 * A member's text cannot make the analytic checks slow: judgments of 20,000
 * quotation marks that nothing closes (the longest a judgment may be) cost
 * the quotation scan the square of their length, 1.4 s each, and held the
 * worker thread that every board's checks wait for. Against a real server
 * with one worker thread: the crafted board's checks, and an honest board's
 * asked for at the same time, both arrive well within their deadline.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { LIMITS } from '../../shared/limits.ts'
import { apiClient, type ApiResponse } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Opening marks of each kind the scan looks for a closing one from; with no closing mark, each looked to the text's end. */
const CRAFTED = ['“', '«', '‹', '„', " 'word"]
const CRAFTED_CARDS = 10

describe('a judgment crafted against the checks', () => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  it('is checked in linear time: its checks and an honest board’s arrive within 10 s', async () => {
    server = await startTestServer({ env: { WORKER_THREADS: '1' } })
    const api = apiClient(server.url)
    const crafted = await api.createBoard('Crafted')
    for (let card = 0; card < CRAFTED_CARDS; card++) {
      const mark = CRAFTED[card % CRAFTED.length]!
      const judgment = `${mark.repeat(Math.floor(LIMITS.longText / mark.length) - 2)} likely`.slice(-LIMITS.longText)
      const made = await api.post(`/api/boards/${crafted}/assessments`, { title: `Card ${card}`, judgment, likelihood: 2, confidence: 'low' })
      expect(made.status).toBe(201)
    }
    const honest = await api.createBoard('Honest')
    await api.post(`/api/boards/${honest}/assessments`, { title: 'Plain', judgment: 'An incursion is very likely.', likelihood: 2, confidence: 'low' })
    // The worker thread started, so that what follows is the checks' own work.
    expect((await api.get(`/api/boards/${honest}/checks`)).status).toBe(200)
    await api.post(`/api/boards/${honest}/assessments`, { title: 'Another', likelihood: 5, confidence: 'low' })

    const answers: { crafted?: ApiResponse<ChecksReport>; honest?: ApiResponse<ChecksReport> } = {}
    void api.get<ChecksReport>(`/api/boards/${crafted}/checks`).then((answer) => (answers.crafted = answer))
    void api.get<ChecksReport>(`/api/boards/${honest}/checks`).then((answer) => (answers.honest = answer))
    await waitFor(() => answers.crafted && answers.honest, 'both boards’ checks', 10_000)

    expect(answers.crafted!.status).toBe(200)
    // Every crafted judgment's last word is read: no quotation closes before it.
    const contradicted = answers.crafted!.body.findings.filter((f) => f.rule === 'likelihood-contradicted')
    expect(contradicted.map((f) => f.faults.map((x) => x.text))).toEqual(Array.from({ length: CRAFTED_CARDS }, () => ['likely']))
    expect(answers.honest!.status).toBe(200)
    expect(answers.honest!.body.findings.filter((f) => f.rule === 'likelihood-contradicted').map((f) => f.faults[0]!.text)).toEqual(['very likely'])
  })
})
