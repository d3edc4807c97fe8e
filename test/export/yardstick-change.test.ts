/**
 * A change of the board's yardstick against a real server: ICD 203 rows A and
 * B share their ranges, so switching between them is free; switching to PHIA
 * restates every judgment's stated probability, so it is refused `409
 * likelihoods_restated` (naming how many judgments and which) until
 * confirmed, and a confirmed change is kept on the board, written to the
 * audit log and noted in the briefing's yardstick appendix.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string; message: string } }
type AuditEntry = { action: string; detail: Record<string, unknown> }

describe('changing the board’s yardstick', () => {
  let server: TestServer
  let owner: ApiClient
  let authorization: string
  let boardId: string
  const ids: Record<string, string> = {}

  beforeEach(async () => {
    server = await startTestServer({ accounts: true })
    const account = await addAccount(server, { name: 'Olga Owner' })
    authorization = `Bearer ${(await addToken(server, account)).token}`
    owner = apiClient(server.url, { authorization })
    boardId = await owner.createBoard('Border build-up')
    for (const [key, body] of Object.entries({
      unlikely: { title: 'A strike on the depot', likelihood: 3, confidence: 'moderate' },
      even: { title: 'Talks resume', likelihood: 4, confidence: 'low' },
      unrated: { title: 'Motives', kind: 'hypothesis' },
    })) {
      ids[key] = (await owner.post<{ id: string }>(`/api/boards/${boardId}/assessments`, body)).body.id
    }
  })

  afterEach(async () => {
    await server.destroy()
  })

  const board = async () => (await owner.get<BoardModel>(`/api/boards/${boardId}`)).body
  const markdown = async () => (await fetch(`${server.url}/api/boards/${boardId}/export?format=md`, { headers: { authorization } })).text()

  it('switches wording rows freely, refuses a restating switch unless confirmed, and records a confirmed one', async () => {
    const rowB = await owner.patch<BoardModel>(`/api/boards/${boardId}`, { profile: 'icd203-alt' })
    expect(rowB.status).toBe(200)
    expect(rowB.body).toMatchObject({ profile: 'icd203-alt' })
    expect(rowB.body.yardstickChange).toBeUndefined()

    const refused = await owner.patch<ErrorBody>(`/api/boards/${boardId}`, { profile: 'phia', title: 'Renamed' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('likelihoods_restated')
    expect(refused.body.error.message).toContain('restates the probability range of 2 judgments')
    expect(refused.body.error.message).toContain('“A strike on the depot” (improbable, 20–45% → unlikely, 25–35%)')
    expect(refused.body.error.message).toContain('“Talks resume” (roughly even odds, 45–55% → realistic possibility, 40–50%)')
    expect(refused.body.error.message).not.toContain('Motives')
    // Nothing of the refused change is made.
    expect(await board()).toMatchObject({ profile: 'icd203-alt', title: 'Border build-up' })
    expect(await markdown()).not.toContain('The likelihood profile was changed')

    const confirmed = await owner.patch<BoardModel>(`/api/boards/${boardId}`, { profile: 'phia', restateLikelihoods: true })
    expect(confirmed.status).toBe(200)
    expect(confirmed.body.profile).toBe('phia')
    expect(confirmed.body.yardstickChange).toMatchObject({ from: 'icd203-alt' })
    expect(Date.parse(confirmed.body.yardstickChange!.at)).not.toBeNaN()

    const audit = (await owner.get<AuditEntry[]>(`/api/boards/${boardId}/audit`)).body.filter((e) => e.action === 'yardstick-changed')
    expect(audit.map((e) => e.detail)).toEqual([{ from: 'icd203-alt', to: 'phia', restated: 2, assessmentIds: `${ids.unlikely},${ids.even}` }])

    const briefing = await markdown()
    expect(briefing).toContain('### Likelihood yardstick: PHIA probability yardstick')
    expect(briefing).toMatch(/The likelihood profile was changed from ICD 203 \(wording row B\) at \d{6}Z [A-Z]{3} \d{2}: each judgment kept its likelihood band/)
  })

  it('needs no confirmation where no judgment states a likelihood', async () => {
    for (const id of [ids.unlikely, ids.even]) expect((await owner.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: null })).status).toBe(200)
    const changed = await owner.patch<BoardModel>(`/api/boards/${boardId}`, { profile: 'phia' })
    expect(changed.status).toBe(200)
    expect(changed.body.yardstickChange).toBeUndefined()
  })
})
