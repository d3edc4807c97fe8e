/**
 * STIX bundles of real boards, exported through the server's API as a
 * consumer would collect them over time: objects of one id are versions of
 * one object to STIX, so their `created` never moves and only `modified` may;
 * a marking definition, which cannot be versioned, is the same bytes wherever
 * its id appears; a retraction, which can be undone, is never the final
 * `revoked`; and every bundle keeps to the STIX 2.1 rules (no null, no empty
 * list, UUIDv4 ids). Across all the bundles a test exports, one id with one
 * `modified` is always the same content: another scope, the live board's
 * retractions since a snapshot, or another board never give one version two
 * contents.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { addClaim, addSource } from '../../shared/board-mutations.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'
import { staleVersionsWinning, stixVersionConflicts, stixViolations, type StixBundle, type StixObject } from '../../server/export/stix-validation.ts'

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

/** Every bundle the running test exported, as a consumer collecting them would hold them. */
const collected: StixBundle[] = []
afterEach(() => {
  expect(stixVersionConflicts(collected.splice(0))).toEqual([])
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

/** A snapshot of the board, taken now. */
async function snapshotOf(boardId: string, label: string): Promise<string> {
  const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label })
  expect(snapshot.status).toBe(201)
  return snapshot.body.id
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
  collected.push(response.body)
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

  it('dates the live board’s objects by when their content last changed: an unchanged board exports the same versions, and editing one assessment moves only its note', async () => {
    const { boardId, claimId } = await newBoard()
    const other = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Prigozhin goes to Minsk', kind: 'assessment' })
    expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId: other.body.id, claimId, rating: 'N' })).status).toBe(201)
    // The report states the board at its export, so it is a version of its own each time; everything else is the board's content.
    const contents = (bundle: StixBundle) => new Map(bundle.objects.filter((o) => o.type !== 'report' && o.type !== 'marking-definition').map((o) => [o.id, o]))
    const first = contents(await exported(boardId))
    const second = contents(await exported(boardId))
    expect(second).toEqual(first)

    expect((await api.patch(`/api/boards/${boardId}/assessments/${other.body.id}`, { title: 'Prigozhin leaves Minsk' })).status).toBe(200)
    const third = contents(await exported(boardId))
    expect([...third.keys()]).toEqual([...first.keys()])
    const renamed = [...third.values()].find((o) => o.type === 'note' && o.abstract === 'Prigozhin leaves Minsk')!
    expect([...third.values()].filter((o) => o.modified !== first.get(o.id)!.modified).map((o) => o.id)).toEqual([renamed.id])
    expect(renamed.created).toBe(first.get(renamed.id)!.created)
    expect(String(renamed.modified) > String(first.get(renamed.id)!.modified)).toBe(true)

    // Folded into a checkpoint, what the rows said is dated at its last row: never earlier, one content per version (afterEach).
    await server.services.compaction.compact(boardId)
    expect((await server.services.storage.history.tailState(boardId)).throughSeq).toBeGreaterThan(0)
    const folded = contents(await exported(boardId))
    for (const [id, object] of folded) expect(String(object.modified) >= String(third.get(id)!.modified), id).toBe(true)
    expect(contents(await exported(boardId))).toEqual(folded)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${other.body.id}`, { title: 'Prigozhin stays in Minsk' })).status).toBe(200)
    const after = contents(await exported(boardId))
    expect([...after.values()].filter((o) => o.modified !== folded.get(o.id)!.modified).map((o) => o.id)).toEqual([renamed.id])
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

  it('gives a note the same content in every scope of one snapshot, though each scope is a report of its own', async () => {
    const { boardId } = await newBoard()
    const unweighed = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner recruits in Minsk', kind: 'key-judgment', status: 'final' })
    expect(unweighed.status).toBe(201)
    const snapshotId = await snapshotOf(boardId, 'Evening brief')
    const [all, final] = [await exported(boardId, `&snapshot=${snapshotId}&scope=all`), await exported(boardId, `&snapshot=${snapshotId}&scope=final`)]
    expect(reportOf(all).id).not.toBe(reportOf(final).id)
    const noteIn = (bundle: StixBundle) => bundle.objects.find((o) => o.type === 'note' && o.abstract === 'Wagner recruits in Minsk')!
    // One version of one note in both (the afterEach holds every object to it): it weighs no claim, and points at no report.
    expect(noteIn(final)).toEqual(noteIn(all))
    expect(noteIn(all).object_refs).not.toContain(reportOf(all).id)
  })

  it('keeps a snapshot’s report one version as the live board retracts what it relied on, and says so in a note named by the claims retracted', async () => {
    const { boardId, claimId } = await newBoard()
    const snapshotId = await snapshotOf(boardId, 'Night brief')
    const query = `&snapshot=${snapshotId}`
    const before = await exported(boardId, query)
    const retractedNote = (bundle: StixBundle) => bundle.objects.find((o) => o.type === 'note' && (o.labels as string[] | undefined)?.includes('retracted-since'))
    expect(retractedNote(before)).toBeUndefined()
    const setStatus = async (status: string) => expect((await api.patch(`/api/boards/${boardId}/claims/${claimId}`, { status })).status).toBe(200)

    await setStatus('retracted')
    const retracted = await exported(boardId, query)
    // The report says what the snapshot and its review say, whatever the live board has done since (afterEach: one content per version).
    expect(reportOf(retracted)).toEqual(reportOf(before))
    const note = retractedNote(retracted)!
    // The title as written: the isolates the briefings set around it are for display (server/export/bidi.ts).
    expect(note).toMatchObject({ content: '1 judgment relied on a claim retracted since. (Wagner settles in Belarus)' })
    expect(note.object_refs).toContain(reportOf(retracted).id)

    await setStatus('active')
    expect(retractedNote(await exported(boardId, query))).toBeUndefined()
    await setStatus('retracted')
    // The same claims retracted again: the same note.
    expect(retractedNote(await exported(boardId, query))).toEqual(note)
  })

  it('keeps two boards’ objects apart when an editor of one writes, over the websocket, a claim with the other board’s claim id', async () => {
    const { boardId: boardA, claimId } = await newBoard()
    const boardB = await api.createBoard('Wagner in Africa')
    const editor = await addAccount(server, { name: 'Eve Editor' })
    await addMember(server, boardB, editor, 'editor')
    const asEditor = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, editor)).token}` })
    const client = connectClient(server.wsUrl, boardB, { token: (await addToken(server, editor)).token })
    try {
      await client.synced()
      const sourceB = addSource(client.doc, { name: 'NATO', kind: '', reliability: 'B' })
      addClaim(client.doc, { text: 'No convoys anywhere near Asipovichy.', sourceId: sourceB, credibility: 6 }, { newId: () => claimId })
      await waitFor(async () => (await asEditor.get<{ claims: { id: string }[] }>(`/api/boards/${boardB}`)).body.claims.some((c) => c.id === claimId), 'board B to hold the claim')
    } finally {
      client.destroy()
    }
    const [first, other, again] = [await exported(boardA), await exported(boardB, '', asEditor), await exported(boardA)]
    // What two boards' bundles share is Assay's own: the same bytes in both.
    const inA = new Map(first.objects.map((o) => [o.id, JSON.stringify(o)]))
    const shared = other.objects.filter((o) => inA.has(o.id))
    expect(shared.filter((o) => o.type !== 'marking-definition').map((o) => o.id)).toEqual([reportOf(first).created_by_ref])
    for (const o of shared) expect(JSON.stringify(o)).toBe(inA.get(o.id))
    // And a board's ids stay its own on every export.
    expect(again.objects.map((o) => o.id)).toEqual(first.objects.map((o) => o.id))
  })

  it('keeps a snapshot’s report one version when a reviewer withdraws a verdict, which records no time', async () => {
    const { boardId } = await newBoard()
    const snapshotId = await snapshotOf(boardId, 'Dawn brief')
    const base = `/api/boards/${boardId}/snapshots/${snapshotId}`
    const assessmentId = (await api.get<{ assessments: { id: string }[] }>(`/api/boards/${boardId}`)).body.assessments[0]!.id
    const reviewers = await Promise.all(
      ['Rita Reviewer', 'Sam Senior'].map(async (name) => {
        const reviewer = await addAccount(server, { name })
        await addMember(server, boardId, reviewer, 'reviewer')
        return apiClient(server.url, { authorization: `Bearer ${(await addToken(server, reviewer)).token}` })
      }),
    )
    for (const reviewer of reviewers) {
      await laterMillisecond()
      expect((await reviewer.put(`${base}/verdicts/${assessmentId}`, { verdict: 'agree' })).status).toBe(200)
    }
    const opinionsOf = (bundle: StixBundle) => bundle.objects.filter((o) => o.type === 'opinion')
    expect(opinionsOf(await exported(boardId, `&snapshot=${snapshotId}`))).toHaveLength(2)
    // The first verdict withdrawn: its opinion leaves the bundle, and the report (afterEach: one content per version) is unchanged.
    expect((await reviewers[0]!.delete(`${base}/verdicts/${assessmentId}`)).status).toBe(204)
    expect(opinionsOf(await exported(boardId, `&snapshot=${snapshotId}`))).toHaveLength(1)
  })
})

describe('an earlier version exported after the live board has moved on', () => {
  it('is never a later version of an object than the live board’s: edited, retracted and re-marked since, as a snapshot and as of a past time', async () => {
    const { boardId, claimId } = await newBoard()
    const assessmentId = (await api.get<{ assessments: { id: string }[] }>(`/api/boards/${boardId}`)).body.assessments[0]!.id
    const snapshotId = await snapshotOf(boardId, 'Morning')
    await laterMillisecond()
    const before = new Date().toISOString()
    await laterMillisecond()
    expect((await api.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { title: 'Wagner leaves Belarus', likelihood: 6 })).status).toBe(200)
    expect((await api.patch(`/api/boards/${boardId}/claims/${claimId}`, { status: 'retracted' })).status).toBe(200)

    // Edited and retracted, same marking: the ids the live board shares are its later versions, or the same content.
    const edited = await exported(boardId)
    for (const query of [`&snapshot=${snapshotId}`, `&asOf=${encodeURIComponent(before)}`]) {
      const earlier = await exported(boardId, query)
      expect(staleVersionsWinning(edited, earlier), query).toEqual([])
      // Unchanged since, Assay's identity and the source's are the live board's very versions.
      expect(earlier.objects.filter((o) => o.type === 'identity' && edited.objects.some((l) => JSON.stringify(l) === JSON.stringify(o))), query).toHaveLength(2)
    }

    // Re-marked since: the earlier version under the live marking is content the live board never had, under ids of its own.
    expect((await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:RED' })).status).toBe(200)
    const live = await exported(boardId)
    for (const query of [`&snapshot=${snapshotId}`, `&asOf=${encodeURIComponent(before)}`]) {
      const earlier = await exported(boardId, query)
      expect(staleVersionsWinning(live, earlier), query).toEqual([])
      const note = earlier.objects.find((o) => o.type === 'note' && o.abstract === 'Wagner settles in Belarus')!
      expect(live.objects.map((o) => o.id), query).toContain(note.x_assay_remarked_from)
      expect(live.objects.map((o) => o.id), query).not.toContain(note.id)
      // Exported again, the same versions: nothing in them is of the time of the export but the report's `modified`, its re-marking.
      const contents = (bundle: StixBundle) => bundle.objects.filter((o) => o.type !== 'report')
      expect(contents(await exported(boardId, query)), query).toEqual(contents(earlier))
    }
  })
})
