/**
 * The analytic checks over HTTP against a real server: the findings of the
 * live board and of a snapshot agree with the pure checks, an editor
 * acknowledges one with a reason (kept in the board, seen by a connected
 * client), a reviewer cannot, and a snapshot says what it relied on that has
 * been retracted since. The live board's checks are worked out in a worker
 * thread (counted by the server's own job metric), once until the board
 * changes, for readers and acknowledgements alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { AcknowledgementModel, BoardModel } from '../../shared/board-model.ts'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

describe('the checks API', () => {
  let server: TestServer
  let editor: ApiClient
  let reviewer: ApiClient
  let editorAccount: TestAccount
  let boardId: string
  let ids: { claim: string; other: string; kj: string; plain: string }

  const client = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
  const base = () => `/api/boards/${boardId}`

  beforeEach(async () => {
    server = await startTestServer({ accounts: true, env: { METRICS_TOKEN } })
    editorAccount = await addAccount(server, { name: 'Edgar Editor' })
    const reviewerAccount = await addAccount(server, { name: 'Rita Reviewer' })
    editor = await client(editorAccount)
    boardId = await editor.createBoard('Border build-up')
    await addMember(server, boardId, reviewerAccount, 'reviewer')
    reviewer = await client(reviewerAccount)
    const source = (await editor.post<{ id: string }>(`${base()}/sources`, { name: 'NATO', reliability: 'B' })).body.id
    const claim = (await editor.post<{ id: string }>(`${base()}/claims`, { text: 'Bridging units moved to the border.', sourceId: source, credibility: 2 })).body.id
    const other = (await editor.post<{ id: string }>(`${base()}/claims`, { text: 'Fuel trucks came up from the depots.', sourceId: source, credibility: 2 })).body.id
    const kj = (
      await editor.post<{ id: string }>(`${base()}/assessments`, {
        title: 'An incursion within weeks',
        judgment: 'An incursion is very likely, and we have high confidence in it.',
        kind: 'key-judgment',
        likelihood: 5,
        confidence: 'moderate',
        status: 'final',
      })
    ).body.id
    const plain = (await editor.post<{ id: string }>(`${base()}/assessments`, { title: 'Logistics in place', likelihood: 5, confidence: 'low' })).body.id
    await editor.post(`${base()}/links`, { assessmentId: kj, claimId: claim, rating: 'CC' })
    await editor.post(`${base()}/links`, { assessmentId: plain, claimId: other, rating: 'C' })
    ids = { claim, other, kj, plain }
  })

  afterEach(async () => {
    await server.destroy()
  })

  it('reports the live board’s findings with the words at fault, for a reviewer too', async () => {
    const report = await reviewer.get<ChecksReport>(`${base()}/checks`)
    expect(report.status).toBe(200)
    expect(report.body.findings.map((f) => [f.rule, f.subject, f.faults.map((x) => x.text)])).toEqual([
      ['likelihood-contradicted', { kind: 'assessment', id: ids.kj }, ['very likely']],
      ['likelihood-with-confidence', { kind: 'assessment', id: ids.kj }, ['very likely', 'high confidence']],
    ])
    expect(report.body).toMatchObject({ scope: 'all', open: 2, acknowledged: 0, retractedSince: null, retractedSinceStatement: null })
    // The final-only scope leaves the draft out, and its findings with it.
    const final = await reviewer.get<ChecksReport>(`${base()}/checks?scope=final`)
    expect(final.body.findings).toHaveLength(2)
    const draftOnly = await editor.patch(`${base()}/assessments/${ids.kj}`, { status: 'draft' })
    expect(draftOnly.status).toBe(200)
    expect((await reviewer.get<ChecksReport>(`${base()}/checks?scope=final`)).body.findings).toEqual([])
  })

  it('keeps an editor’s acknowledgement in the board, where a connected client sees it; a reviewer cannot acknowledge', async () => {
    const { findings } = (await editor.get<ChecksReport>(`${base()}/checks`)).body
    const target = findings.find((f) => f.rule === 'likelihood-with-confidence')!
    const live = connectClient(server.wsUrl, boardId, { token: (await addToken(server, editorAccount)).token })
    try {
      await live.synced()
      const refused = await reviewer.post(`${base()}/acknowledgements`, { key: target.key, rule: target.rule, reason: 'Fine.' })
      expect(refused.status).toBe(403)
      const made = await editor.post<AcknowledgementModel>(`${base()}/acknowledgements`, { key: target.key, rule: target.rule, reason: 'Quoted from the NATO cable as written.' })
      expect(made.status).toBe(201)
      expect(made.body).toMatchObject({ key: target.key, reason: 'Quoted from the NATO cable as written.', createdBy: 'Edgar Editor' })
      await waitFor(() => boardToModel(live.doc, boardId).acknowledgements?.length === 1, 'the acknowledgement reaches a connected client')

      const report = (await reviewer.get<ChecksReport>(`${base()}/checks`)).body
      expect(report).toMatchObject({ open: 1, acknowledged: 1 })
      expect(report.findings.find((f) => f.key === target.key)!.acknowledgement?.reason).toBe('Quoted from the NATO cable as written.')
      expect((await editor.get<BoardModel>(base())).body.acknowledgements).toEqual([made.body])

      expect((await editor.delete(`${base()}/acknowledgements?key=${encodeURIComponent(target.key)}`)).status).toBe(204)
      await waitFor(() => boardToModel(live.doc, boardId).acknowledgements === undefined, 'the withdrawal reaches a connected client')
      expect((await editor.delete(`${base()}/acknowledgements?key=${encodeURIComponent(target.key)}`)).status).toBe(404)
    } finally {
      live.destroy()
    }
  })

  it('refuses to acknowledge a finding that does not stand, or without a reason', async () => {
    const missing = await editor.post<{ error: { code: string; message: string } }>(`${base()}/acknowledgements`, {
      key: `no-likelihood:${ids.kj}`,
      rule: 'no-likelihood',
      reason: 'Made up.',
    })
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toContain('No finding')
    const empty = await editor.post<{ error: { message: string } }>(`${base()}/acknowledgements`, { key: 'no-key-judgment:board', rule: 'no-key-judgment', reason: ' ' })
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('reason')
    const unknownRule = await editor.post(`${base()}/acknowledgements`, { key: 'x:y', rule: 'x', reason: 'r' })
    expect(unknownRule.status).toBe(400)
  })

  it('works out the live board’s checks in a worker once until the board changes, for readers and acknowledgements alike', async () => {
    const checksWorkedOut = async () => sample(await metricsText(server), 'assay_worker_job_duration_seconds_count', { job: 'check-version', outcome: 'done' }) ?? 0
    const live = connectClient(server.wsUrl, boardId, { token: (await addToken(server, editorAccount)).token })
    try {
      // A loaded room keeps the answers; without one each read works them out afresh.
      await live.synced()
      const before = await checksWorkedOut()
      const reads = await Promise.all(Array.from({ length: 4 }, () => reviewer.get<ChecksReport>(`${base()}/checks`)))
      expect(new Set(reads.map((read) => JSON.stringify(read.body))).size).toBe(1)
      const target = reads[0]!.body.findings.find((f) => f.rule === 'likelihood-with-confidence')!
      // Keys made up are refused from the same working-out: none converts the board on the relay's thread.
      for (const key of [`no-likelihood:${ids.kj}`, 'no-key-judgment:board', `${target.rule}:${ids.plain}`]) {
        const refused = await editor.post(`${base()}/acknowledgements`, { key, rule: key.split(':')[0], reason: 'Made up.' })
        expect(refused.status, key).toBe(404)
      }
      expect(await checksWorkedOut()).toBe(before + 1)
      const made = await editor.post(`${base()}/acknowledgements`, { key: target.key, rule: target.rule, reason: 'As the cable says.' })
      expect(made.status).toBe(201)
      expect(await checksWorkedOut()).toBe(before + 1)
      // The acknowledgement changed the board: the next read is worked out again and holds it.
      const after = (await reviewer.get<ChecksReport>(`${base()}/checks`)).body
      expect(after).toMatchObject({ open: 1, acknowledged: 1 })
      expect(await checksWorkedOut()).toBe(before + 2)
      // A finding gone from the board as stored can no longer be acknowledged.
      expect((await editor.patch(`${base()}/assessments/${ids.kj}`, { judgment: 'An incursion within weeks.' })).status).toBe(200)
      const stale = await editor.post(`${base()}/acknowledgements`, { key: target.key, rule: target.rule, reason: 'Again.' })
      expect(stale.status).toBe(404)
      expect(await checksWorkedOut()).toBe(before + 3)
    } finally {
      live.destroy()
    }
  })

  it('says when a snapshot relied on a claim retracted since', async () => {
    const snapshot = (await editor.post<{ id: string }>(`${base()}/snapshots`, { label: 'Morning brief' })).body.id
    expect((await reviewer.get<ChecksReport>(`${base()}/checks?snapshot=${snapshot}`)).body.retractedSinceStatement).toBeNull()
    await editor.patch(`${base()}/claims/${ids.claim}`, { status: 'retracted' })
    await editor.patch(`${base()}/claims/${ids.other}`, { status: 'retracted' })
    const report = (await reviewer.get<ChecksReport>(`${base()}/checks?snapshot=${snapshot}`)).body
    expect(report.retractedSinceStatement).toBe('2 judgments relied on 2 claims retracted since.')
    expect(report.retractedSince?.assessments.map((a) => a.title)).toEqual(['An incursion within weeks', 'Logistics in place'])
    // The snapshot's own findings are those of its content: nothing was retracted in it.
    expect(report.findings.some((f) => f.rule === 'retracted-support')).toBe(false)
    // The live board flags both now.
    const live = (await reviewer.get<ChecksReport>(`${base()}/checks`)).body
    expect(live.findings.filter((f) => f.rule === 'retracted-support').map((f) => f.subject)).toEqual([
      { kind: 'assessment', id: ids.kj },
      { kind: 'assessment', id: ids.plain },
    ])
    expect((await reviewer.get(`${base()}/checks?snapshot=nope`)).status).toBe(404)
  })
})
