/**
 * The client ids the server writes under itself do not grow with its board's
 * room loads (server/relay/server-client-ids.ts). Every load drew a fresh
 * document id and a fresh stamp id, and HTTP edits and stamps were written
 * under them, counted against nobody: an editor who had the board's room
 * unloaded between HTTP edits took a board from 2 ids to 253 in a minute
 * (red team 30a), and a page joining with a forged author after each unload
 * added a stamp id a load. Now a room writes again under the ids its board's
 * previous room here wrote under, as long as the board as loaded holds them at
 * the clocks kept; and they are stored as the server's, so no member may write
 * under them.
 */
import { afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText, collection } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { SERVER_WRITER } from '../server/storage/storage.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard, storeUpdate, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type Dialect, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

/** Room loads the attacker causes: past what two ids a board could absorb by chance. */
const EVICTIONS = 300
const STAMP_EVICTIONS = 30

let server: TestServer | undefined
const clients: TestClient[] = []
const providers: WebsocketProvider[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const provider of providers.splice(0)) provider.destroy()
  await server?.destroy()
  server = undefined
})

/** A server whose rooms unload as soon as nobody holds them (ROOM_IDLE_MS 0), a board with an assessment, and its editor's API. */
async function boardWithEditor(dialect: Dialect = 'sqlite') {
  const running = (server = await startTestServer({ accounts: true, dialect, env: { ROOM_IDLE_MS: '0' } }))
  const [owner, editor] = [await addAccount(running, { name: 'Olga' }), await addAccount(running, { name: 'Mallory' })]
  const ownerApi = apiClient(running.url, { authorization: `Bearer ${(await addToken(running, owner)).token}` })
  const boardId = await ownerApi.createBoard('Evicted')
  await addMember(running, boardId, editor, 'editor')
  const editorToken = (await addToken(running, editor)).token
  const editorApi = apiClient(running.url, { authorization: `Bearer ${editorToken}` })
  const made = await editorApi.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'A' })
  expect(made.status).toBe(201)
  await unloaded(running, boardId)
  return { running, boardId, assessmentId: made.body.id, editorApi, editorToken, owner }
}

async function unloaded(running: TestServer, boardId: string): Promise<void> {
  await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the board’s room to unload')
}

/** How many client ids the stored board's document holds: the length of every state vector sent for it. */
function storedClientIds(running: TestServer, boardId: string): Promise<number> {
  return withStoredDoc(running, boardId, (doc) => doc.store.clients.size)
}

async function serverWrittenIds(running: TestServer, boardId: string): Promise<number[]> {
  return (await running.services.storage.log.writers(boardId)).filter((writer) => writer.userId === SERVER_WRITER).map((writer) => writer.clientId)
}

it.each(['sqlite', 'postgres'] as const)(`adds no client id when an editor has the board's room unloaded between HTTP edits, ${EVICTIONS} times (%s)`, async (dialect) => {
  const { running, boardId, assessmentId, editorApi } = await boardWithEditor(dialect)
  const before = await storedClientIds(running, boardId)
  for (let cycle = 0; cycle < EVICTIONS; cycle++) {
    const patched = await editorApi.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { title: `A${cycle}` })
    expect(patched.status).toBe(200)
    await unloaded(running, boardId)
  }
  expect((await storedBoard(running, boardId)).assessments.map((a) => a.title)).toEqual([`A${EVICTIONS - 1}`])
  expect(await storedClientIds(running, boardId)).toBeLessThanOrEqual(before + 2)
  // Stored as the server's: no member may write under it.
  expect((await serverWrittenIds(running, boardId)).length).toBeGreaterThan(0)
}, 240_000)

it(`adds no stamp id when a page names another author after each unload of the board's room, ${STAMP_EVICTIONS} times`, async () => {
  const { running, boardId, editorToken, owner } = await boardWithEditor()
  // One page, one client id of its own throughout, its document kept between joins (as an offline copy would keep
  // it): only the server's ids could grow.
  const doc = new Y.Doc()
  const before = await storedClientIds(running, boardId)
  for (let cycle = 0; cycle < STAMP_EVICTIONS; cycle++) {
    const page = new WebsocketProvider(running.wsUrl, boardId, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, params: { token: editorToken } })
    providers.push(page)
    await waitFor(() => page.synced, 'the page to sync')
    addAssessment(doc, { title: `card ${cycle}` }, { by: owner.name })
    // The stamp comes back to the page once stored (the relay broadcasts only what it committed).
    await waitFor(() => boardToModel(doc, boardId).assessments.some((a) => a.title === `card ${cycle}` && a.createdBy === 'Mallory'), 'the card stored, stamped with its sender').catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(boardToModel(doc, boardId).assessments)}`)
    })
    page.destroy()
    providers.splice(providers.indexOf(page), 1)
    await unloaded(running, boardId)
  }
  doc.destroy()
  const stored = await storedBoard(running, boardId)
  expect(stored.assessments.filter((a) => a.title.startsWith('card ')).map((a) => a.createdBy)).toEqual(Array(STAMP_EVICTIONS).fill('Mallory'))
  // The page's own id, and the stamp id once.
  expect(await storedClientIds(running, boardId)).toBeLessThanOrEqual(before + 2)
}, 240_000)

it('draws a fresh id where the board as stored went on under the one kept, and the board converges', async () => {
  const { running, boardId, assessmentId, editorApi } = await boardWithEditor()
  const [kept] = await serverWrittenIds(running, boardId)
  expect(kept).toBeDefined()
  // Written under the kept id past its kept clock, as a room reset with changes never stored would leave it had they been.
  await storeUpdate(running, boardId, 'server', (doc) => {
    const before = Y.encodeStateVector(doc)
    const own = doc.clientID
    doc.clientID = kept!
    doc.getMap('elsewhere').set('note', 'written under the kept id')
    doc.clientID = own
    return Y.encodeStateAsUpdate(doc, before)
  })
  const patched = await editorApi.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { title: 'After' })
  expect(patched.status).toBe(200)
  await unloaded(running, boardId)
  expect((await serverWrittenIds(running, boardId)).length).toBe(2)
  const page = connectClient(running.wsUrl, boardId, { token: (await addToken(running, await addAccount(running))).token })
  clients.push(page)
  expect((await storedBoard(running, boardId)).assessments.map((a) => a.title)).toEqual(['After'])
}, 60_000)

it('refuses a member writing under the server’s own id, stored as the server’s: the room keeps it, and the board its ids', async () => {
  const { running, boardId, assessmentId, editorApi, editorToken } = await boardWithEditor()
  // The id the room wrote the editor's assessment under, over HTTP.
  const own = await withStoredDoc(running, boardId, (doc) => collection(doc, 'assessments')._map.get(assessmentId)!.id.client)
  const before = await storedClientIds(running, boardId)
  const stored = await withStoredDoc(running, boardId, (doc) => Y.encodeStateAsUpdate(doc))
  const typed = (clientId: number) => forgedUpdate(stored, clientId, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'typed'))
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}?token=${editorToken}`)
  socket.send(frames.update(typed(own)))
  await waitFor(() => socket.isClosed(), 'the forging socket to be closed')
  expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
  await unloaded(running, boardId)
  // The same keystroke under an id of the editor's own is taken: what refused it was whose id it wrote under.
  const honest = await openRawSocket(`${running.wsUrl}/${boardId}?token=${editorToken}`)
  honest.send(frames.update(typed(new Y.Doc().clientID)))
  await waitFor(async () => (await storedBoard(running, boardId)).assessments[0]?.judgment === 'typed', 'the honest keystroke stored')
  expect(honest.isClosed()).toBe(false)
  honest.terminate()
  await unloaded(running, boardId)
  expect((await editorApi.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { title: 'Still the server’s' })).status).toBe(200)
  await unloaded(running, boardId)
  // The editor's one id; the server's stays the same.
  expect(await storedClientIds(running, boardId)).toBe(before + 1)
}, 60_000)
