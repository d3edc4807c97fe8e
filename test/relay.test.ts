import WebSocket from 'ws'
import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText, blufText } from '../shared/board-doc.ts'
import { addAssessment, addSource, deleteAssessment, updateAssessment } from '../shared/board-mutations.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { CLOSE } from '../shared/protocol.ts'
import { LIMITS } from '../shared/limits.ts'
import { apiClient } from './helpers/api.ts'
import { openAccess } from './helpers/open-access.ts'
import { frames, openRawSocket, syncPayloads, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { seededRandom } from './helpers/seeded-random.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

/** Connections ask for the reviewer role with `?as=reviewer`; access control proper has its own tests. */
const roleFromQuery = () => openAccess((request) => (new URL(request.url).searchParams.get('as') === 'reviewer' ? 'reviewer' : 'editor'))

describe('relay', () => {
  let server: TestServer
  const clients: TestClient[] = []
  const sockets: WebSocket[] = []
  const rawSockets: RawSocket[] = []
  const connect = (boardId: string, params: Record<string, string> = {}) => {
    const client = connectClient(server.wsUrl, boardId, params)
    clients.push(client)
    return client
  }
  const model = (client: TestClient, boardId: string): BoardModel => boardToModel(client.doc, boardId)
  const titles = (client: TestClient, boardId: string) => model(client, boardId).assessments.map((a) => a.title).sort()

  beforeEach(async () => {
    // Rooms unload as soon as nobody holds them, so that these tests see loads and unloads (test/idle-rooms.test.ts keeps them idle).
    server = await startTestServer({ access: roleFromQuery, env: { ROOM_IDLE_MS: '0' } })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const socket of rawSockets.splice(0)) socket.terminate()
    for (const socket of sockets.splice(0)) {
      // A socket refused at the upgrade reports its end as an error; it is expected here.
      socket.on('error', () => {})
      socket.terminate()
    }
    await server.destroy()
  })

  /** A raw socket, to send what no well-behaved client would. Resolves once open. */
  const rawSocket = async (boardId: string) => {
    const socket = new WebSocket(`${server.wsUrl}/${boardId}`)
    sockets.push(socket)
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    await new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    })
    return { socket, closed }
  }

  it('three clients edit one board and converge; a late joiner gets the whole state', async () => {
    const boardId = await apiClient(server.url).createBoard('Convergence')
    const [a, b, c] = [connect(boardId), connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced(), c.synced()])
    addAssessment(a.doc, { title: 'From A' })
    addAssessment(b.doc, { title: 'From B' })
    addSource(c.doc, { name: 'NATO', reliability: 'B' })
    for (const client of [a, b, c]) {
      await waitFor(() => titles(client, boardId).length === 2 && model(client, boardId).sources.length === 1, 'convergence')
    }
    expect(model(a, boardId)).toEqual(model(b, boardId))
    expect(model(b, boardId)).toEqual(model(c, boardId))
    const late = connect(boardId)
    await late.synced()
    expect(model(late, boardId)).toEqual(model(a, boardId))
    expect(titles(late, boardId)).toEqual(['From A', 'From B'])
  })

  it('concurrent typing in one judgment keeps both inputs', async () => {
    const boardId = await apiClient(server.url).createBoard('Typing')
    const [a, b] = [connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced()])
    const id = addAssessment(a.doc, { title: 'Shared', judgment: 'Base.' })
    await waitFor(() => model(b, boardId).assessments.length === 1, 'assessment at b')
    assessmentText(a.doc, id, 'judgment').insert(0, 'Alpha ')
    assessmentText(b.doc, id, 'judgment').insert(5, ' beta')
    await waitFor(() => assessmentText(a.doc, id, 'judgment').toString() === assessmentText(b.doc, id, 'judgment').toString() && assessmentText(a.doc, id, 'judgment').length > 12, 'texts to converge')
    const text = assessmentText(a.doc, id, 'judgment').toString()
    expect(text).toContain('Alpha ')
    expect(text).toContain(' beta')
  })

  it('two boards never leak into each other', async () => {
    const api = apiClient(server.url)
    const [first, second] = [await api.createBoard('First'), await api.createBoard('Second')]
    const [a, b] = [connect(first), connect(second)]
    await Promise.all([a.synced(), b.synced()])
    addAssessment(a.doc, { title: 'Only on first' })
    await waitFor(async () => (await api.get<BoardModel>(`/api/boards/${first}`)).body.assessments.length === 1, 'first board to store it')
    addAssessment(b.doc, { title: 'Only on second' })
    await waitFor(async () => (await api.get<BoardModel>(`/api/boards/${second}`)).body.assessments.length === 1, 'second board to store it')
    expect(titles(a, first)).toEqual(['Only on first'])
    expect(titles(b, second)).toEqual(['Only on second'])
    expect((await api.get<BoardModel>(`/api/boards/${first}`)).body.assessments.map((x) => x.title)).toEqual(['Only on first'])
  })

  it('shows awareness to the others, stamped with who is signed in, and removes it when the client disconnects', async () => {
    const boardId = await apiClient(server.url).createBoard('Presence')
    const [a, b] = [connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced()])
    a.provider.awareness.setLocalStateField('user', { name: 'Ana', color: '#0a7' })
    // Without accounts everyone is the same local analyst: the server's name wins over the one the client chose.
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.color === '#0a7', 'Ana at b')
    expect(b.provider.awareness.getStates().get(a.doc.clientID)?.user).toEqual({ id: null, name: 'analyst', readOnly: false, color: '#0a7' })
    a.provider.disconnect()
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'Ana to be removed at b')
  })

  it('a reviewer connection receives everything but changes nothing', async () => {
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Read only')
    const editor = connect(boardId)
    const reviewer = connect(boardId, { as: 'reviewer' })
    await Promise.all([editor.synced(), reviewer.synced()])
    // Told once that its changes are not saved, the reviewer stays connected: no socket error, no reconnect.
    const socketTrouble: string[] = []
    reviewer.provider.on('connection-error', () => socketTrouble.push('error'))
    reviewer.provider.on('status', ({ status }) => {
      if (status === 'disconnected') socketTrouble.push('disconnected')
    })
    addAssessment(editor.doc, { title: 'Written by the editor' })
    await waitFor(() => titles(reviewer, boardId).includes('Written by the editor'), 'reviewer to receive the edit')
    addAssessment(reviewer.doc, { title: 'Written by the reviewer' })
    reviewer.provider.awareness.setLocalStateField('user', { name: 'Rev' })
    // Presence still flows both ways, marked read-only, and it travels after the dropped update on the same socket.
    await waitFor(() => editor.provider.awareness.getStates().get(reviewer.doc.clientID)?.user?.readOnly === true, 'reviewer presence at editor')
    addAssessment(editor.doc, { title: 'Second from the editor' })
    await waitFor(() => titles(reviewer, boardId).includes('Second from the editor'), 'second edit at reviewer')
    expect(titles(editor, boardId)).toEqual(['Second from the editor', 'Written by the editor'])
    const stored = await api.get<BoardModel>(`/api/boards/${boardId}`)
    expect(stored.body.assessments.map((a) => a.title).sort()).toEqual(['Second from the editor', 'Written by the editor'])
    const late = connect(boardId)
    await late.synced()
    expect(titles(late, boardId)).not.toContain('Written by the reviewer')
    expect(socketTrouble).toEqual([])
    expect(reviewer.provider.wsconnected).toBe(true)
  })

  it('closes only the offending connection on a malformed message, a failing update or an oversized frame', async () => {
    const boardId = await apiClient(server.url).createBoard('Faults')
    const [a, b] = [connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced()])

    const unknownType = await rawSocket(boardId)
    unknownType.socket.send(new Uint8Array([99, 1, 2]))
    expect(await unknownType.closed).toEqual(CLOSE.malformedMessage)

    const badUpdate = await rawSocket(boardId)
    badUpdate.socket.send(new Uint8Array([0, 2, 7, 1, 1, 200, 1, 5, 5, 5]))
    expect(await badUpdate.closed).toEqual(CLOSE.updateRejected)

    const oversized = await rawSocket(boardId)
    oversized.socket.send(new Uint8Array(LIMITS.maxMessageBytes + 1))
    expect((await oversized.closed).code).toBe(CLOSE.messageTooBig.code)

    const text = await rawSocket(boardId)
    text.socket.send('hello')
    expect(await text.closed).toEqual(CLOSE.malformedMessage)

    addAssessment(a.doc, { title: 'Still working' })
    await waitFor(() => titles(b, boardId).includes('Still working'), 'the room to carry on')
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true)
  })

  it('HTTP edits reach connected clients; invalid bodies get 400 naming the field', async () => {
    const api = apiClient(server.url)
    const boardId = await api.createBoard('HTTP')
    const client = connect(boardId)
    await client.synced()
    const source = await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })
    expect(source.status).toBe(201)
    const claim = await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'No immediate signs.', sourceId: source.body.id, credibility: 2 })
    expect(claim.status).toBe(201)
    const assessment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Nuclear use', kind: 'key-judgment', likelihood: 2, confidence: 'moderate' })
    expect(assessment.status).toBe(201)
    const link = await api.post<{ id: string }>(`/api/boards/${boardId}/links`, { assessmentId: assessment.body.id, claimId: claim.body.id, rating: 'I' })
    expect(link.status).toBe(201)
    await waitFor(() => model(client, boardId).links.length === 1, 'the HTTP edits at the client')
    expect(model(client, boardId).assessments[0]).toMatchObject({ title: 'Nuclear use', likelihood: 2, confidence: 'moderate' })

    const patched = await api.patch(`/api/boards/${boardId}/assessments/${assessment.body.id}`, { status: 'final' })
    expect(patched.status).toBe(200)
    await waitFor(() => model(client, boardId).assessments[0]?.status === 'final', 'the patch at the client')

    const badRating = await api.post<{ error: { message: string } }>(`/api/boards/${boardId}/links`, { assessmentId: assessment.body.id, claimId: claim.body.id, rating: 'X' })
    expect(badRating.status).toBe(400)
    expect(badRating.body.error.message).toContain('rating')
    const badLikelihood = await api.patch<{ error: { message: string } }>(`/api/boards/${boardId}/assessments/${assessment.body.id}`, { likelihood: 9 })
    expect(badLikelihood.status).toBe(400)
    expect(badLikelihood.body.error.message).toContain('likelihood')
    const notJson = await api.post<{ error: { message: string } }>(`/api/boards/${boardId}/sources`, '{not json')
    expect(notJson.status).toBe(400)
    const unknownBoard = await api.get(`/api/boards/${crypto.randomUUID()}`)
    expect(unknownBoard.status).toBe(404)
    const danglingClaim = await api.post<{ error: { message: string } }>(`/api/boards/${boardId}/claims`, { text: 'x', sourceId: 'nope' })
    expect(danglingClaim.status).toBe(404)

    const deleted = await api.delete(`/api/boards/${boardId}/sources/${source.body.id}`)
    expect(deleted.status).toBe(204)
    await waitFor(() => model(client, boardId).claims.length === 0 && model(client, boardId).links.length === 0, 'the cascade at the client')
  })

  it('refuses an upgrade to an unknown board before any socket exists', async () => {
    const socket = new WebSocket(`${server.wsUrl}/${crypto.randomUUID()}`)
    sockets.push(socket)
    const status = await new Promise<number | undefined>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode)))
    expect(status).toBe(404)
  })

  it('serves an OpenAPI document that lists the board routes', async () => {
    const doc = await apiClient(server.url).get<{ paths: Record<string, unknown> }>('/api/openapi.json')
    expect(doc.status).toBe(200)
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/boards', '/api/boards/{id}', '/api/boards/{id}/assessments/{entityId}']))
  })

  it('loads a board once for concurrent first joins and unloads it once its last client has gone', async () => {
    const boardId = await apiClient(server.url).createBoard('Lifecycle')
    const rooms = server.services.rooms
    await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload after creation')
    const held = await Promise.all(Array.from({ length: 10 }, () => rooms.acquire(boardId)))
    expect(new Set(held.map((h) => h?.room)).size).toBe(1)
    for (const h of held) h?.release()
    await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload once released')
    const [a, b] = [connect(boardId), connect(boardId)]
    await Promise.all([a.synced(), b.synced()])
    addAssessment(a.doc, { title: 'Saved before unloading' })
    await waitFor(() => titles(b, boardId).length === 1, 'the edit at b')
    a.provider.disconnect()
    b.provider.disconnect()
    await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload when its clients have gone')
    const stored = await server.services.storage.log.load(boardId)
    expect(stored.updates.length).toBeGreaterThan(1)
  })

  /** What a fresh client (holding nothing) is sent, as the payloads of its sync frames, once its step 2 has come. */
  const freshSync = async (boardId: string): Promise<Uint8Array[]> => {
    const fresh = await openRawSocket(`${server.wsUrl}/${boardId}`)
    rawSockets.push(fresh)
    fresh.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => syncReplies(fresh.received).length === 1, 'the sync reply')
    return syncPayloads(fresh.received).map((payload) => new Uint8Array(payload))
  }
  /** Whether `payloads`, applied in order to an empty doc, hold exactly the room's doc: its content, clocks and deletions. */
  const holdExactlyTheRoom = (boardId: string, payloads: Uint8Array[]): boolean => {
    const joined = new Y.Doc()
    for (const payload of payloads) Y.applyUpdate(joined, payload)
    const room = server.services.rooms.loadedRooms.get(boardId)!
    const same = Y.equalSnapshots(Y.snapshot(joined), Y.snapshot(room.doc)) && JSON.stringify(boardToModel(joined, boardId)) === JSON.stringify(boardToModel(room.doc, boardId))
    joined.destroy()
    return same
  }
  const savedWith = (reader: TestClient, boardId: string) => async () => {
    const room = server.services.rooms.loadedRooms.get(boardId)
    return room?.isSaved === true && Y.equalSnapshots(Y.snapshot(room.doc), Y.snapshot(reader.doc))
  }

  it('sends a fresh client the board as it was loaded and the changes since, merged, until they outweigh it; then one encoding, and the changes after it', async () => {
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Loaded')
    for (const title of ['First', 'Second', 'Third']) expect((await api.post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
    const rooms = server.services.rooms
    await waitFor(() => !rooms.loadedRooms.has(boardId), 'the room to unload')
    const stored = await server.services.storage.log.load(boardId)
    expect(stored.checkpoint).toBeNull()
    expect(stored.updates.length).toBe(4)

    const storedAsIs = stored.updates.map((update) => new Uint8Array(update))
    expect(await freshSync(boardId)).toEqual(storedAsIs)
    // The stock client counts itself synced at the step 2, the last of them: by then it holds the whole board.
    const reader = connect(boardId)
    await reader.synced()
    expect(titles(reader, boardId)).toEqual(['First', 'Second', 'Third'])

    // Two changes later: the stored updates as they were, and the two merged into one.
    const fourth = addAssessment(reader.doc, { title: 'Fourth' })
    updateAssessment(reader.doc, fourth, { tags: ['north'] })
    await waitFor(savedWith(reader, boardId), 'the changes to be saved')
    const afterChanges = await freshSync(boardId)
    expect(afterChanges.slice(0, 4)).toEqual(storedAsIs)
    expect(afterChanges).toHaveLength(5)
    expect(holdExactlyTheRoom(boardId, afterChanges)).toBe(true)

    // More changed since than the board weighs (and than 64 KiB): one encoding of the doc, then the changes after it.
    // Over two texts, each within twice its limit (the relay's bound: server/relay/text-lengths.ts).
    reader.doc.transact(() => {
      assessmentText(reader.doc, fourth, 'judgment').insert(0, 'Columns moved north at dawn. '.repeat(1_300))
      blufText(reader.doc).insert(0, 'Columns moved north at dawn. '.repeat(1_300))
    })
    await waitFor(savedWith(reader, boardId), 'the long judgment to be saved')
    const encoded = await freshSync(boardId)
    expect(encoded).toHaveLength(1)
    expect(holdExactlyTheRoom(boardId, encoded)).toBe(true)
    assessmentText(reader.doc, fourth, 'judgment').delete(0, 29)
    await waitFor(savedWith(reader, boardId), 'the deletion to be saved')
    const afterEncoding = await freshSync(boardId)
    expect(afterEncoding[0]).toEqual(encoded[0])
    expect(afterEncoding).toHaveLength(2)
    expect(holdExactlyTheRoom(boardId, afterEncoding)).toBe(true)
  })

  it('sends a fresh client one change that outweighs the board eight times over as it came, after the board as loaded, not an encoding of the whole', async () => {
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Pasted')
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'First' })).status).toBe(201)
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the room to unload')
    const storedAsIs = (await server.services.storage.log.load(boardId)).updates.map((update) => new Uint8Array(update))
    const writer = connect(boardId)
    await writer.synced()

    // One transaction that writes far more than the board held, as an import or a paste of a whole board does.
    let pasted = ''
    writer.doc.transact(() => {
      pasted = addAssessment(writer.doc, { title: 'Pasted' })
      // Over two cards, each judgment within twice its limit (the relay's bound: server/relay/text-lengths.ts).
      assessmentText(writer.doc, pasted, 'judgment').insert(0, 'Columns moved north at dawn. '.repeat(1_300))
      assessmentText(writer.doc, addAssessment(writer.doc, { title: 'Pasted too' }), 'judgment').insert(0, 'Columns moved north at dawn. '.repeat(1_300))
    })
    await waitFor(savedWith(writer, boardId), 'the pasted card to be saved')
    const sent = await freshSync(boardId)
    expect(sent.slice(0, -1)).toEqual(storedAsIs)
    expect(sent).toHaveLength(storedAsIs.length + 1)
    expect(holdExactlyTheRoom(boardId, sent)).toBe(true)

    // The changes after it follow it, merged, as they follow the board as loaded.
    assessmentText(writer.doc, pasted, 'judgment').delete(0, 29)
    await waitFor(savedWith(writer, boardId), 'the deletion to be saved')
    const afterDeletion = await freshSync(boardId)
    expect(afterDeletion.slice(0, -1)).toEqual(sent)
    expect(holdExactlyTheRoom(boardId, afterDeletion)).toBe(true)
  })

  it('sends a fresh client exactly the board after any run of changes by two writers: insertions, deletions, cards added and removed', async () => {
    const boardId = await apiClient(server.url).createBoard('Typed')
    const writers = [connect(boardId), connect(boardId)]
    await Promise.all(writers.map((writer) => writer.synced()))
    const random = seededRandom(20261202)
    const cards = [addAssessment(writers[0]!.doc, { title: 'Seed card' })]
    for (let round = 0; round < 25; round++) {
      for (let edit = 0; edit < 1 + random.int(12); edit++) {
        const writer = random.pick(writers)!
        const card = random.pick(cards.filter((id) => boardToModel(writer.doc, boardId).assessments.some((a) => a.id === id)))
        const roll = random.next()
        if (card === undefined || roll < 0.1) cards.push(addAssessment(writer.doc, { title: `Card ${round}.${edit}` }))
        else if (roll < 0.15 && cards.length > 1) deleteAssessment(writer.doc, card)
        else {
          const judgment = assessmentText(writer.doc, card, 'judgment')
          if (roll < 0.6 || judgment.length < 4) judgment.insert(random.int(judgment.length + 1), 'word '.repeat(1 + random.int(40)))
          else judgment.delete(random.int(judgment.length - 3), 1 + random.int(3))
        }
      }
      await waitFor(async () => (await savedWith(writers[0]!, boardId)()) && Y.equalSnapshots(Y.snapshot(writers[0]!.doc), Y.snapshot(writers[1]!.doc)), `round ${round}'s changes to be saved everywhere`)
      if (random.next() < 0.6) expect(holdExactlyTheRoom(boardId, await freshSync(boardId)), `round ${round}`).toBe(true)
    }
  })

  it('keeps updates in a Y.Doc that is sent whole to a late joiner after a burst', async () => {
    const boardId = await apiClient(server.url).createBoard('Burst')
    const writer = connect(boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Counter' })
    for (let i = 0; i < 200; i++) updateAssessment(writer.doc, id, { tags: [`t${i}`] })
    const late = connect(boardId)
    await late.synced()
    await waitFor(() => model(late, boardId).assessments[0]?.tags[0] === 't199', 'the last of the burst at the joiner')
    expect(Y.encodeStateVector(late.doc)).toEqual(Y.encodeStateVector(writer.doc))
  })
})
