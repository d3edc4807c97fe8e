/**
 * The board's own words checked like a judgment's, against a real server: a
 * bottom line up front that puts a likelihood and a confidence in one
 * sentence and speaks PHIA on an ICD 203 (row A) board, and a key question in
 * row B, are findings about the board, naming the text and the words at
 * fault, in `GET /api/boards/:id/checks` and in the briefing's checks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const BLUF = 'We assess with high confidence that an attack is almost certain. An incursion is highly likely.'
const QUESTION = 'Is an incursion probable before the spring?'

describe('checks on the board’s key question and bottom line', () => {
  let server: TestServer
  let editor: ApiClient
  let authorization: string
  let boardId: string

  beforeEach(async () => {
    server = await startTestServer({ accounts: true })
    const account = await addAccount(server, { name: 'Edgar Editor' })
    authorization = `Bearer ${(await addToken(server, account)).token}`
    editor = apiClient(server.url, { authorization })
    boardId = await editor.createBoard('Border build-up')
    const source = (await editor.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })).body.id
    const claim = (await editor.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'Bridging units moved up.', sourceId: source, credibility: 2 })).body.id
    const kj = (
      await editor.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'An incursion', kind: 'key-judgment', likelihood: 6, confidence: 'moderate' })
    ).body.id
    await editor.post(`/api/boards/${boardId}/links`, { assessmentId: kj, claimId: claim, rating: 'CC' })
  })

  afterEach(async () => {
    await server.destroy()
  })

  it('finds likelihood with confidence and mixed wording rows in the BLUF and the key question, about the board', async () => {
    expect((await editor.get<ChecksReport>(`/api/boards/${boardId}/checks`)).body.findings).toEqual([])
    expect((await editor.patch(`/api/boards/${boardId}`, { bluf: BLUF, question: QUESTION })).status).toBe(200)

    const report = (await editor.get<ChecksReport>(`/api/boards/${boardId}/checks`)).body
    expect(report.findings.map((f) => [f.rule, f.subject, f.faults.map((x) => [x.field, x.text])])).toEqual([
      ['mixed-wording', { kind: 'board', field: 'question' }, [['question', 'probable']]],
      ['mixed-wording', { kind: 'board', field: 'bluf' }, [['bluf', 'highly likely']]],
      ['likelihood-with-confidence', { kind: 'board', field: 'bluf' }, [['bluf', 'high confidence'], ['bluf', 'almost certain']]],
    ])
    for (const finding of report.findings) {
      const text = finding.subject.kind === 'board' && finding.subject.field === 'question' ? QUESTION : BLUF
      for (const fault of finding.faults) expect(text.slice(fault.start, fault.end)).toBe(fault.text)
    }
    expect(report.findings[1]!.message).toContain('this board uses ICD 203 (wording row A)')
    expect(report.open).toBe(3)

    const briefing = await fetch(`${server.url}/api/boards/${boardId}/export?format=md`, { headers: { authorization } })
    expect(briefing.status).toBe(200)
    const markdown = await briefing.text()
    expect(markdown).toContain('- **The board’s bottom line up front**: Likelihood and confidence in one sentence.')
    expect(markdown).toContain('- **The board’s bottom line up front**: Mixes wording rows.')
    expect(markdown).toContain('- **The board’s key question**: Mixes wording rows.')

    // An acknowledgement refers to the finding's key, like any other.
    const acknowledged = await editor.post(`/api/boards/${boardId}/acknowledgements`, { key: report.findings[2]!.key, rule: 'likelihood-with-confidence', reason: 'Quoted from the tasking.' })
    expect(acknowledged.status).toBe(201)
    expect((await editor.get<ChecksReport>(`/api/boards/${boardId}/checks`)).body).toMatchObject({ open: 2, acknowledged: 1 })
  })
})
