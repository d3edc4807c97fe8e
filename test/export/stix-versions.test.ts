/**
 * STIX bundles of real boards, exported through the server's API as a
 * consumer would collect them over time: objects of one id are versions of
 * one object to STIX, so their `created` never moves and only `modified` may;
 * a marking definition, which cannot be versioned, is the same bytes wherever
 * its id appears; a retraction, which can be undone, is never the final
 * `revoked`; and every bundle keeps to the STIX 2.1 rules (no null, no empty
 * list, UUIDv4 ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { stixViolations, type StixBundle, type StixObject } from '../../server/export/stix-validation.ts'

const MARKING = 'TLP:AMBER // NOFORN'

let server: TestServer
let api: ApiClient
let owner: TestAccount

beforeAll(async () => {
  server = await startTestServer({ accounts: true })
  owner = await addAccount(server, { name: 'Olga Owner' })
  api = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
})
afterAll(async () => {
  await server.destroy()
})

/** A board with a statement marking, a source, a claim and an assessment (no impact set) weighing it; its id and the claim's. */
async function newBoard(): Promise<{ boardId: string; claimId: string }> {
  const boardId = await api.createBoard('Wagner in Belarus')
  expect((await api.patch(`/api/boards/${boardId}`, { marking: MARKING })).status).toBe(200)
  const source = await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })
  const claim = await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'Convoys were seen near Asipovichy.', sourceId: source.body.id, credibility: 2 })
  const assessment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner settles in Belarus', kind: 'key-judgment', likelihood: 5 })
  expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId: assessment.body.id, claimId: claim.body.id, rating: 'C' })).status).toBe(201)
  return { boardId, claimId: claim.body.id }
}

/** Returns once the wall clock, which stamps exports, edits and sign-offs, has moved past now: what comes next is of a later time. */
async function laterMillisecond(): Promise<void> {
  const now = Date.now()
  await waitFor(() => Date.now() > now, 'the clock to move on')
}

/** The STIX bundle of the live board (or the query's version), of a later time than anything before it, held to the 2.1 rules. */
async function exported(boardId: string, query = '', as: ApiClient = api): Promise<StixBundle> {
  await laterMillisecond()
  const response = await as.get<StixBundle>(`/api/boards/${boardId}/export?format=stix${query}`)
  expect(response.status).toBe(200)
  expect(stixViolations(response.body)).toEqual([])
  return response.body
}

const reportOf = (bundle: StixBundle) => bundle.objects.find((o) => o.type === 'report')!
const statementOf = (bundle: StixBundle) => bundle.objects.find((o) => o.type === 'marking-definition' && o.definition_type === 'statement')!

describe('STIX versions of a board, exported over time', () => {
  it('keeps a report’s created wherever its id appears: the live board’s unchanged content, and a snapshot as its review goes on', async () => {
    const { boardId } = await newBoard()
    const [first, second] = [reportOf(await exported(boardId)), reportOf(await exported(boardId))]
    expect(second.id).toBe(first.id)
    expect(second.created).toBe(first.created)
    expect(String(second.modified) > String(first.modified)).toBe(true)

    const snapshot = await api.post<{ id: string; createdAt: string; contentHash: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)
    const taken = reportOf(await exported(boardId, `&snapshot=${snapshot.body.id}`))
    // The same content as the live board, yet another version with another review: another report.
    expect((taken.x_assay_version as { hash: string }).hash).toBe((first.x_assay_version as { hash: string }).hash)
    expect(taken.id).not.toBe(first.id)
    expect(taken).toMatchObject({ created: snapshot.body.createdAt, modified: snapshot.body.createdAt, published: snapshot.body.createdAt })

    const reviewer = await addAccount(server, { name: 'Rita Reviewer' })
    await addMember(server, boardId, reviewer, 'reviewer')
    const asReviewer = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
    await laterMillisecond()
    const signoff = await asReviewer.put<{ createdAt: string }>(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved' })
    expect(signoff.status).toBe(200)
    const signed = reportOf(await exported(boardId, `&snapshot=${snapshot.body.id}`, asReviewer))
    // Its sign-off changed what the report says: a later version of it, created when the snapshot was taken.
    expect(signed).toMatchObject({ id: taken.id, created: taken.created, modified: signoff.body.createdAt, x_assay_review: { status: 'approved' } })
    // The live board's report is untouched by the snapshot: still created when its content was.
    expect(reportOf(await exported(boardId))).toMatchObject({ id: first.id, created: first.created })
    // The board as of a time is a version of its own kind, created when its content was too.
    const asOf = reportOf(await exported(boardId, `&asOf=${encodeURIComponent(new Date().toISOString())}`))
    expect(asOf.id).not.toBe(first.id)
    expect(asOf.id).not.toBe(taken.id)
    expect(asOf.created).toBe(first.created)
  })

  it('writes a marking statement as the same bytes in every bundle, as a marking definition cannot be versioned', async () => {
    const { boardId } = await newBoard()
    const live = statementOf(await exported(boardId))
    expect(live).toMatchObject({ definition: { statement: MARKING } })
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Noon brief' })
    const statements = [live, statementOf(await exported(boardId)), statementOf(await exported(boardId, `&snapshot=${snapshot.body.id}`))]
    expect(new Set(statements.map((statement) => JSON.stringify(statement))).size).toBe(1)
  })

  it('never revokes a retracted claim, as its retraction can be undone', async () => {
    const { boardId, claimId } = await newBoard()
    const noteOf = (bundle: StixBundle): StixObject => bundle.objects.find((o) => o.type === 'note' && o.content === 'Convoys were seen near Asipovichy.')!
    expect((await api.patch(`/api/boards/${boardId}/claims/${claimId}`, { status: 'retracted' })).status).toBe(200)
    const retracted = noteOf(await exported(boardId))
    expect(retracted).toMatchObject({ x_assay_status: 'retracted', labels: ['retracted'] })
    expect(retracted.revoked).toBeUndefined()
    expect((await api.patch(`/api/boards/${boardId}/claims/${claimId}`, { status: 'active' })).status).toBe(200)
    const restored = noteOf(await exported(boardId))
    expect(restored).toMatchObject({ id: retracted.id, created: retracted.created, x_assay_status: 'active' })
    expect(restored.labels).toBeUndefined()
  })

  it('writes no null and no empty list, and UUIDv4 ids, for a board with nothing reviewed, checked or rated for impact', async () => {
    const { boardId } = await newBoard()
    const bundle = await exported(boardId)
    const text = JSON.stringify(bundle)
    expect(text).not.toContain('null')
    expect(text).not.toContain('[]')
    const assessment = bundle.objects.find((o) => o.type === 'note' && o.abstract === 'Wagner settles in Belarus')!
    expect(assessment.x_assay_impact).toBeUndefined()
    for (const o of bundle.objects) expect(o.id).toMatch(/--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
