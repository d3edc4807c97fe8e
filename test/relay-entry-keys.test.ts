/**
 * An entry of the board holds only the keys its schema names, against the
 * real server: a stock client's value under any other key (which every reader
 * leaves out, so nobody could see or delete it while every member's document
 * held it) closes its sender 4422 with nothing stored, on an entry of every
 * collection, new or held. The app's own edits of every kind of entry pass,
 * and a board stored with such a key before loads without it (the server
 * deletes it as it loads the board: test/stored-unnamed-keys.test.ts) and is
 * read and edited.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { collection, COLLECTIONS, entity, type Collection } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import {
  addAssessment,
  addClaim,
  addDocument,
  addLink,
  addSource,
  moveAssessment,
  updateAssessment,
  updateClaim,
  updateLink,
  updateSource,
} from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { storedBoard, storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { expectEachRefused, type Attack } from './helpers/refused-attacks.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const JUNK = 'A'.repeat(200_000)

/** A board holding one entry of every collection, made over HTTP, with the id of each. */
async function startWithEntries(env: Record<string, string> = {}) {
  const running = (server = await startTestServer({ env }))
  const api = apiClient(running.url)
  const boardId = await api.createBoard('Entry keys')
  const base = `/api/boards/${boardId}`
  const source = (await api.post<{ id: string }>(`${base}/sources`, { name: 'NATO', reliability: 'B' })).body.id
  const claim = (await api.post<{ id: string }>(`${base}/claims`, { text: 'Convoys were seen near Grodno.', sourceId: source })).body.id
  const card = (await api.post<{ id: string }>(`${base}/assessments`, { title: 'A build-up is under way', kind: 'key-judgment' })).body.id
  const link = (await api.post<{ id: string }>(`${base}/links`, { assessmentId: card, claimId: claim, rating: 'C' })).body.id
  const writer = connect(running.wsUrl, boardId)
  await writer.synced()
  const document = addDocument(writer.doc, { title: 'Report', text: 'Convoys were seen near Grodno.' })
  await waitFor(async () => (await storedBoard(running, boardId)).documents.length === 1, 'the document stored')
  writer.destroy()
  const ids: Record<Collection, string> = { sources: source, documents: document, claims: claim, assessments: card, links: link }
  return { running, api, boardId, ids }
}

describe('the keys of an entry on the websocket', () => {
  it('a value under a key no schema names, on a held entry of every collection or on a new one, closes its stock sender 4422 and reaches nobody', async () => {
    const { running, api, boardId, ids } = await startWithEntries()
    const bystander = connect(running.wsUrl, boardId)
    const bystanderCodes = closeCodes(bystander)
    await bystander.synced()
    const attacks: Attack[] = [
      ...COLLECTIONS.map((name): Attack => [`a string on an entry of ${name}`, (doc) => entity(doc, name, ids[name])!.set('zz', JUNK)]),
      ['a number on a card', (doc) => entity(doc, 'assessments', ids.assessments)!.set('hidden', 42)],
      ['an object on a claim', (doc) => entity(doc, 'claims', ids.claims)!.set('hidden', { junk: JUNK })],
      ['a new card holding one', (doc) => collection(doc, 'assessments').set('new-card', new Y.Map<unknown>([['kind', 'assessment'], ['zz', JUNK]]))],
    ]
    await expectEachRefused(() => connect(running.wsUrl, boardId), attacks)

    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    const unknownKeys = (doc: Y.Doc) =>
      COLLECTIONS.flatMap((name) => [...collection(doc, name).entries()].flatMap(([id, map]) => [...(map as Y.Map<unknown>).keys()].filter((key) => ['zz', 'hidden'].includes(key)).map((key) => `${name}/${id}/${key}`)))
    expect(unknownKeys(reader.doc)).toEqual([])
    expect(entity(reader.doc, 'assessments', 'new-card')).toBeUndefined()
    expect(await withStoredDoc(running, boardId, unknownKeys)).toEqual([])
    expect(Y.encodeStateAsUpdate(reader.doc).byteLength).toBeLessThan(JUNK.length)
    expect((await api.get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.map((card) => card.title)).toEqual(['A build-up is under way'])
    expect(bystanderCodes).toEqual([])
  })

  it('the app’s own edits of a source, a document, a claim, a card, a hypothesis and a link pass and reach everyone', async () => {
    const { running, api, boardId, ids } = await startWithEntries()
    const [ana, bo] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
    const codes = [closeCodes(ana), closeCodes(bo)]
    await Promise.all([ana.synced(), bo.synced()])
    const source = addSource(ana.doc, { name: 'Reuters', reliability: 'C', url: 'https://example.org/a', note: 'Wire.' })
    updateSource(ana.doc, ids.sources, { reliability: 'A', note: 'Checked.' })
    const claim = addClaim(ana.doc, { text: 'Rail cars were loaded.', sourceId: source, credibility: 2, note: 'Seen twice.' })
    updateClaim(ana.doc, ids.claims, { relevance: 'H', note: 'Paraphrase.', status: 'retracted' })
    const card = addAssessment(ana.doc, { title: 'An exercise', judgment: 'Likely.', kind: 'assessment', likelihood: 4, confidence: 'moderate', impact: 'major', tags: ['rail'] })
    updateAssessment(ana.doc, card, { status: 'final', likelihood: 5, tags: ['rail', 'east'] })
    const hypothesis = addAssessment(ana.doc, { title: 'A deception', kind: 'hypothesis' })
    moveAssessment(ana.doc, hypothesis, null)
    addLink(ana.doc, { assessmentId: hypothesis, claimId: claim, rating: 'I', note: 'Fits poorly.' })
    updateLink(ana.doc, ids.links, { rating: 'CC', note: 'Strongly.' })
    addDocument(ana.doc, { title: 'Second report', text: 'Rail cars were loaded.', hash: 'abc123' })

    await waitFor(async () => {
      const stored = await storedBoard(running, boardId)
      return stored.assessments.length === 3 && stored.links.length === 2 && stored.documents.length === 2 && stored.claims.some((c) => c.relevance === 'H')
    }, 'the edits stored')
    await waitFor(() => {
      const model = boardToModel(bo.doc, boardId)
      return model.assessments.some((a) => a.status === 'final') && model.links.some((l) => l.rating === 'CC') && model.sources.some((s) => s.reliability === 'A')
    }, 'the edits at the other provider')
    const read = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect(read.assessments.find((a) => a.id === card)).toMatchObject({ status: 'final', likelihood: 5, tags: ['rail', 'east'] })
    expect(codes).toEqual([[], []])
  })

  it('a board stored with a value under such a key before loads without it, and is read and edited', async () => {
    const { running, api, boardId, ids } = await startWithEntries({ ROOM_IDLE_MS: '0' })
    await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the board to unload')
    await storeChange(running, boardId, 'ws:earlier', (doc) => entity(doc, 'assessments', ids.assessments)!.set('zz', JUNK))
    expect((await api.get(`/api/boards/${boardId}`)).status).toBe(200)

    const holder = connect(running.wsUrl, boardId)
    const codes = closeCodes(holder)
    await holder.synced()
    expect(entity(holder.doc, 'assessments', ids.assessments)!.has('zz')).toBe(false)
    updateAssessment(holder.doc, ids.assessments, { status: 'final' })
    await waitFor(async () => (await storedBoard(running, boardId)).assessments[0]?.status === 'final', 'the edit stored')
    expect(await withStoredDoc(running, boardId, (doc) => entity(doc, 'assessments', ids.assessments)!.has('zz'))).toBe(false)
    expect(codes).toEqual([])
  })
})
