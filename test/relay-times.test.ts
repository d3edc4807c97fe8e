/**
 * When an item came on the board is when the server took it, over the
 * websocket as over HTTP. An editor's stock WebsocketProvider that creates a
 * source, a document, a claim, an assessment, a link and an acknowledgement
 * dated 2099 has them stored, read, relayed and exported to STIX with the
 * server's time; one that changes the time of a claim the board holds is
 * closed 4422, nothing stored and no one else's board changed. An undo that
 * brings back a deleted claim keeps its time and its socket, and what an
 * analyst made offline since the board was made keeps the time they made it;
 * what is dated before the board existed (2001-09-10 on a board made today)
 * takes the server's time.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { acknowledgementsMap, collection, requireEntity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { acknowledgeFinding, addAssessment, addClaim, addDocument, addLink, addSource, deleteClaim } from '../shared/board-mutations.ts'
import { localOrigin } from '../shared/change-origin.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { CLOSE } from '../shared/protocol.ts'
import type { StixBundle } from '../server/export/stix-validation.ts'
import { CLOCK_SKEW_ALLOWANCE_MS } from '../server/relay/stamped-fields.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes } from './helpers/yjs-client.ts'

const FUTURE = new Date('2099-01-01T00:00:00.000Z')

describe('the time of what a websocket client writes', () => {
  const given = useOwnedBoard({ owner: 'Olivia Owner', board: 'Wagner' })

  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body
  /** Every time of the board's entries, acknowledgements included. */
  const timesOf = (model: BoardModel) => [
    ...model.sources.map((s) => s.createdAt),
    ...model.documents.map((d) => d.importedAt),
    ...model.claims.map((c) => c.createdAt),
    ...model.assessments.map((a) => a.createdAt),
    ...model.links.map((l) => l.createdAt),
    ...(model.acknowledgements ?? []).map((a) => a.createdAt),
  ]
  const ownClaim = async (text: string) => {
    const source = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'Agency' })
    return (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/claims`, { text, sourceId: source.body.id })).body.id
  }

  it('stores entries and an acknowledgement dated 2099 with the server’s time: board, sender, STIX export', async () => {
    const before = Date.now()
    const mallory = await given.connectEditor('Mallory Editor')
    const doc = mallory.client.doc
    const dated = { by: 'Mallory Editor', now: FUTURE }
    const source = addSource(doc, { name: 'Wire' }, dated)
    const claim = addClaim(doc, { text: 'Columns moved north.', sourceId: source }, dated)
    const assessment = addAssessment(doc, { title: 'A move north' }, dated)
    addLink(doc, { assessmentId: assessment, claimId: claim, rating: 'C' }, dated)
    addDocument(doc, { title: 'Wire report', text: 'Columns moved north.' }, dated)
    const finding = (await given.api.get<ChecksReport>(`/api/boards/${given.boardId}/checks`)).body.findings[0]!
    acknowledgeFinding(doc, { key: finding.key, rule: finding.rule as never, reason: 'Reviewed with the desk.' }, dated)

    const stamped = (model: BoardModel) => model.links.length === 1 && model.documents.length === 1 && (model.acknowledgements ?? []).length === 1 && timesOf(model).every((time) => Date.parse(time) < FUTURE.getTime())
    await waitFor(async () => stamped(await storedBoard(given.server, given.boardId)) || undefined, 'the entries stored with the server’s time')
    const after = Date.now()
    const times = timesOf(await board())
    expect(times).toHaveLength(6)
    for (const time of times) expect(Date.parse(time)).toBeGreaterThanOrEqual(before)
    for (const time of times) expect(Date.parse(time)).toBeLessThanOrEqual(after)
    await waitFor(() => String(requireEntity(doc, 'claims', claim).get('createdAt')) === times[2], 'the sender’s own board to show the server’s time')
    expect(mallory.closes).toEqual([])

    const stix = await given.api.get<StixBundle>(`/api/boards/${given.boardId}/export?format=stix`)
    expect(stix.status).toBe(200)
    const exportedBy = Date.now()
    // A marking definition has no `modified`.
    const stixTimes = stix.body.objects.flatMap((object) => [object.created, object.modified].filter((time) => time !== undefined))
    expect(stixTimes.length).toBeGreaterThan(0)
    for (const time of stixTimes) expect(Date.parse(String(time))).toBeLessThanOrEqual(exportedBy)
  })

  it('stores entries and an acknowledgement dated years before the board was made with the server’s time: board, STIX notes', async () => {
    const boardMade = Date.parse((await given.api.get<{ id: string; createdAt: string }[]>('/api/boards')).body.find((b) => b.id === given.boardId)!.createdAt)
    const before = Date.now()
    const mallory = await given.connectEditor('Mallory Editor')
    const doc = mallory.client.doc
    const backdated = { by: 'Mallory Editor', now: new Date('2001-09-10T08:00:00.000Z') }
    const source = addSource(doc, { name: 'Field report', reliability: 'B' }, backdated)
    addClaim(doc, { text: 'An attack is planned for tomorrow.', sourceId: source, credibility: 2 }, backdated)
    addAssessment(doc, { title: 'We warned of the attack', judgment: 'Warned the day before.', kind: 'key-judgment' }, backdated)
    const finding = (await given.api.get<ChecksReport>(`/api/boards/${given.boardId}/checks`)).body.findings[0]!
    acknowledgeFinding(doc, { key: finding.key, rule: finding.rule as never, reason: 'Reviewed with the desk.' }, backdated)
    // Just before the board was made, within the allowance for a clock a little behind the server's: kept.
    const behind = new Date(boardMade - CLOCK_SKEW_ALLOWANCE_MS / 2)
    const lagging = addClaim(doc, { text: 'Columns halted.', sourceId: source }, { by: 'Mallory Editor', now: behind })

    const stored = (model: BoardModel) => model.claims.length === 2 && model.assessments.length === 1 && (model.acknowledgements ?? []).length === 1
    await waitFor(async () => stored(await storedBoard(given.server, given.boardId)) || undefined, 'the backdated entries stored')
    const after = Date.now()
    const model = await board()
    const times = timesOf({ ...model, claims: model.claims.filter((c) => c.id !== lagging) })
    expect(times).toHaveLength(4)
    for (const time of times) expect(Date.parse(time)).toBeGreaterThanOrEqual(before)
    for (const time of times) expect(Date.parse(time)).toBeLessThanOrEqual(after)
    expect(model.claims.find((c) => c.id === lagging)?.createdAt).toBe(behind.toISOString())
    expect(mallory.closes).toEqual([])

    const stix = await given.api.get<StixBundle>(`/api/boards/${given.boardId}/export?format=stix`)
    const notes = stix.body.objects.filter((object) => object.type === 'note')
    expect(notes.length).toBeGreaterThan(0)
    for (const note of notes) expect(Date.parse(String(note.created))).toBeGreaterThanOrEqual(boardMade - CLOCK_SKEW_ALLOWANCE_MS)
  })

  it('refuses a change to the time of a claim the board holds: 4422, nothing stored, no one else’s board changed', async () => {
    const claim = await ownClaim('Fuel trucks arrived.')
    const held = (await board()).claims.find((c) => c.id === claim)!.createdAt
    const witness = await given.connectAs(given.owner)
    const mallory = await given.connectEditor('Mallory Editor')
    await waitFor(() => collection(mallory.client.doc, 'claims').has(claim), 'the claim to reach the editor')

    requireEntity(mallory.client.doc, 'claims', claim).set('createdAt', '2001-01-01T00:00:00.000Z')
    await waitFor(() => mallory.closes.includes(CLOSE.updateRejected.code), `the sender closed with ${CLOSE.updateRejected.code}`)
    expect(mallory.client.provider.shouldConnect).toBe(false)
    expect((await storedBoard(given.server, given.boardId)).claims.find((c) => c.id === claim)?.createdAt).toBe(held)
    expect((await board()).claims.find((c) => c.id === claim)?.createdAt).toBe(held)
    // A later change reaches the witness after anything the relay would have sent it of the refused one.
    const later = await ownClaim('Columns turned back.')
    await waitFor(() => collection(witness.doc, 'claims').has(later), 'a later claim to reach the witness')
    expect(requireEntity(witness.doc, 'claims', claim).get('createdAt')).toBe(held)
  })

  it('keeps an honest client working: its undo of deleting a claim brings it back with its time', async () => {
    const claim = await ownClaim('Fuel trucks arrived.')
    const held = (await board()).claims.find((c) => c.id === claim)!.createdAt
    const edgar = await given.connectEditor('Edgar Editor')
    const doc = edgar.client.doc
    await waitFor(() => collection(doc, 'claims').has(claim), 'the claim to reach the editor')
    const origin = localOrigin()
    const undo = new Y.UndoManager([collection(doc, 'claims')], { trackedOrigins: new Set([origin]) })
    deleteClaim(doc, claim, { by: 'Edgar Editor', origin })
    await waitFor(async () => !(await board()).claims.some((c) => c.id === claim) || undefined, 'the claim deleted')
    undo.undo()
    await waitFor(async () => (await storedBoard(given.server, given.boardId)).claims.some((c) => c.id === claim) || undefined, 'the claim back')
    expect((await board()).claims.find((c) => c.id === claim)?.createdAt).toBe(held)
    expect(edgar.closes).toEqual([])
    undo.destroy()
  })

  it('keeps the times of what an analyst made offline, and of a clock a little ahead; dates one further ahead, or with no time the board reads, with the server’s time', async () => {
    await given.api.post(`/api/boards/${given.boardId}/assessments`, { title: 'Wagner regroups', judgment: 'Wagner will probably regroup.', kind: 'key-judgment' })
    const finding = (await given.api.get<ChecksReport>(`/api/boards/${given.boardId}/checks`)).body.findings[0]!
    const anna = await given.connectEditor('Anna Analyst')
    const { doc, provider } = anna.client
    provider.disconnect()
    // Offline since the board was made: the earliest an honest client's entry on it can be.
    const boardMade = Date.parse((await given.api.get<{ id: string; createdAt: string }[]>('/api/boards')).body.find((b) => b.id === given.boardId)!.createdAt)
    // A time the board cannot read (its model would leave the entry out) is no time: it takes the server's.
    acknowledgementsMap(doc).set(finding.key, { rule: finding.rule, reason: 'Reviewed with the desk.', createdAt: 'this morning', createdBy: 'Anna Analyst' })
    const morning = new Date(boardMade + 1)
    const ahead = new Date(Date.now() + CLOCK_SKEW_ALLOWANCE_MS / 2)
    const source = addSource(doc, { name: 'Field notes' }, { by: 'Anna Analyst', now: morning })
    const offline = addClaim(doc, { text: 'Columns moved north.', sourceId: source }, { by: 'Anna Analyst', now: morning })
    const skewed = addClaim(doc, { text: 'Columns halted.', sourceId: source }, { by: 'Anna Analyst', now: ahead })
    const tooFar = addClaim(doc, { text: 'Columns turned back.', sourceId: source }, { by: 'Anna Analyst', now: new Date(Date.now() + 2 * CLOCK_SKEW_ALLOWANCE_MS) })
    const before = Date.now()
    provider.connect()
    const closes = closeCodes(anna.client)

    const timeOf = (model: BoardModel, id: string) => model.claims.find((c) => c.id === id)?.createdAt
    await waitFor(async () => timeOf(await storedBoard(given.server, given.boardId), tooFar) !== undefined || undefined, 'the offline claims stored')
    const model = await board()
    expect(model.sources[0]?.createdAt).toBe(morning.toISOString())
    expect(timeOf(model, offline)).toBe(morning.toISOString())
    expect(timeOf(model, skewed)).toBe(ahead.toISOString())
    expect(Date.parse(timeOf(model, tooFar)!)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(timeOf(model, tooFar)!)).toBeLessThanOrEqual(Date.now())
    await waitFor(async () => (await board()).acknowledgements?.length === 1 || undefined, 'the acknowledgement stored')
    const acknowledged = Date.parse((await board()).acknowledgements![0]!.createdAt)
    expect(acknowledged).toBeGreaterThanOrEqual(before)
    expect(acknowledged).toBeLessThanOrEqual(Date.now())
    expect(closes).toEqual([])
  })
})
