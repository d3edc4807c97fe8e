/**
 * A board stored before the relay refused keys an entry's schema does not
 * name (a card's `colour`, a megabyte under `zz`), against the real server:
 * the server deletes them from every live entry when it loads the board, as
 * one change of its own, stored and sent like any other, shown in the history
 * as the server's, made once. An analyst who then deletes a card and undoes it
 * is no longer refused (4422): the undo set the card's every key again, the
 * unnamed one too. Nor is one whose undo step was recorded before the server
 * removed them (a page open across the upgrade): the browser's undo
 * (shared/board-undo.ts) brings the card back without them. Two instances
 * on PostgreSQL and Redis loading the board at once both delete them: the
 * same deletion, stored twice, one session of the server's in the history.
 */
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { afterEach, describe, expect, it } from 'vitest'
import { collection, COLLECTIONS, entity } from '../shared/board-doc.ts'
import { deleteAssessment } from '../shared/board-mutations.ts'
import { boardUndoManager } from '../shared/board-undo.ts'
import { LOAD_ORIGIN, localOrigin } from '../shared/change-origin.ts'
import type { BoardHistory } from '../shared/history-model.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { loadedAtOnce } from './helpers/loaded-at-once.ts'
import { LoadGate } from './helpers/load-gate.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { cardStored, cardTitle, deleteAndUndo } from './helpers/undone-deletion.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

const JUNK = 'A'.repeat(200_000)
const UNNAMED = ['zz', 'colour', 'hidden']
const SERVER_NAME = 'Assay (hidden fields removed)'
const TITLE = 'A build-up is under way'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined
const providers: WebsocketProvider[] = []

afterEach(async () => {
  for (const provider of providers.splice(0)) provider.destroy()
  await server?.destroy()
  server = undefined
})

/** The keys no schema names that `doc`'s live entries hold, as `collection/id/key`. */
function unnamedKeysIn(doc: Y.Doc): string[] {
  return COLLECTIONS.flatMap((name) =>
    [...collection(doc, name).entries()].flatMap(([id, map]) => [...(map as Y.Map<unknown>).keys()].filter((key) => UNNAMED.includes(key)).map((key) => `${name}/${id}/${key}`)),
  )
}

const storedRows = async (running: TestServer, boardId: string) => (await running.services.storage.log.load(boardId)).updates.length

/** A board with a card and a claim, made over HTTP, then stored with keys no schema names on both, its room not loaded. */
async function boardStoredWithUnnamedKeys(logSink?: (line: string) => void) {
  let running = (server = await startTestServer({ logSink }))
  const api = apiClient(running.url)
  const boardId = await api.createBoard('Stored keys')
  const base = `/api/boards/${boardId}`
  const source = (await api.post<{ id: string }>(`${base}/sources`, { name: 'NATO', reliability: 'B' })).body.id
  const claim = (await api.post<{ id: string }>(`${base}/claims`, { text: 'Convoys were seen near Grodno.', sourceId: source })).body.id
  const card = (await api.post<{ id: string }>(`${base}/assessments`, { title: TITLE, kind: 'key-judgment' })).body.id
  running = server = await running.restart()
  await storeChange(running, boardId, 'ws:before-the-rule', (doc) => {
    entity(doc, 'assessments', card)!.set('zz', JUNK)
    entity(doc, 'assessments', card)!.set('colour', 'red')
    entity(doc, 'claims', claim)!.set('hidden', { junk: 'x' })
  })
  return { running, boardId, card, claim }
}

describe('a board stored with keys an entry’s schema does not name', () => {
  it('loads without them for every client and in storage, the server’s change shown in its history, made once; deleting a card and undoing it is accepted', async () => {
    const lines: string[] = []
    let { running, boardId, card } = await boardStoredWithUnnamedKeys((line) => lines.push(line))
    expect(await withStoredDoc(running, boardId, unnamedKeysIn)).toHaveLength(3)

    const [ana, bo] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
    const codes = [closeCodes(ana), closeCodes(bo)]
    await Promise.all([ana.synced(), bo.synced()])
    for (const client of [ana, bo]) {
      expect(unnamedKeysIn(client.doc)).toEqual([])
      // What a member downloads no longer holds the value.
      expect(Y.encodeStateAsUpdate(client.doc).byteLength).toBeLessThan(JUNK.length)
    }
    expect(cardTitle(ana.doc, card)).toBe(TITLE)
    const room = running.services.rooms.loadedRooms.get(boardId)!
    await room.whenSaved()
    expect(await withStoredDoc(running, boardId, unnamedKeysIn)).toEqual([])
    const warnings = lines.filter((line) => line.includes('their schema does not name'))
    expect(warnings).toHaveLength(1)
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, boardId, keys: 3 })
    const history = (await apiClient(running.url).get<BoardHistory>(`/api/boards/${boardId}/history`)).body
    expect(history.sessions.filter((session) => session.by.name === SERVER_NAME)).toMatchObject([{ by: { userId: null }, edits: 1 }])

    // The analyst's undo of a deletion sets the card's keys again: only those its schema names are left to set.
    await deleteAndUndo(ana.doc, bo.doc, card, TITLE, running, boardId)
    expect(codes).toEqual([[], []])
    expect(unnamedKeysIn(bo.doc)).toEqual([])

    // Loaded again, the board holds no such key: nothing more to change or store.
    ana.destroy()
    bo.destroy()
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    const rows = await storedRows(running, boardId)
    running = server = await running.restart()
    lines.length = 0
    const again = connect(running.wsUrl, boardId)
    await again.synced()
    await running.services.rooms.loadedRooms.get(boardId)!.whenSaved()
    expect(await storedRows(running, boardId)).toBe(rows)
    expect(lines.filter((line) => line.includes('their schema does not name'))).toEqual([])
    expect(cardTitle(again.doc, card)).toBe(TITLE)
  })

  it('an undo step recorded before the server removed them (a page open across the upgrade) brings the card back without them, accepted', async () => {
    const { running, boardId, card } = await boardStoredWithUnnamedKeys()
    // The page loaded the board as stored, the keys with it, and its analyst deleted the card before it reconnected.
    const doc = new Y.Doc()
    Y.applyUpdate(doc, await withStoredDoc(running, boardId, (stored) => Y.encodeStateAsUpdate(stored)), LOAD_ORIGIN)
    const origin = localOrigin()
    const undo = boardUndoManager(doc, origin)
    expect(entity(doc, 'assessments', card)!.get('zz')).toBe(JUNK)
    deleteAssessment(doc, card, { origin })

    const provider = new WebsocketProvider(running.wsUrl, boardId, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true })
    providers.push(provider)
    const codes: number[] = []
    provider.on('connection-close', (event) => codes.push(event?.code ?? 0))
    await waitFor(() => provider.synced, 'the page to sync')
    await waitFor(async () => !(await cardStored(running, boardId, card)), 'the deletion stored')

    undo.undo()
    expect(cardTitle(doc, card)).toBe(TITLE)
    await waitFor(() => cardStored(running, boardId, card), 'the card back in storage')
    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    expect(cardTitle(reader.doc, card)).toBe(TITLE)
    expect([unnamedKeysIn(doc), unnamedKeysIn(reader.doc), await withStoredDoc(running, boardId, unnamedKeysIn)]).toEqual([[], [], []])
    expect(codes).toEqual([])
  })
})

describeUnless(missing)('two instances loading such a board at once', () => {
  const { start, connect: connectTo } = instancesAfterEach()

  it('both delete the same keys: gone everywhere, one session of the server’s in the history, and an undone deletion accepted on either', async () => {
    const loads = new LoadGate('after-read')
    const one = await start({ env: { ROOM_IDLE_MS: '0' } })
    const two = await start({ database: one.database, wrapStorage: loads.wrap, env: { ROOM_IDLE_MS: '0' } })
    const api = apiClient(one.url)
    const boardId = await api.createBoard('Loaded twice')
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: TITLE, kind: 'key-judgment' })).body.id
    await waitFor(() => !one.services.rooms.loadedRooms.has(boardId), 'the new board’s room unloaded')
    await storeChange(one, boardId, 'ws:before-the-rule', (doc) => {
      entity(doc, 'assessments', card)!.set('zz', JUNK)
      entity(doc, 'assessments', card)!.set('colour', 'red')
    })

    // Two reads the board as stored, keys and all, and waits; meanwhile one loads it and deletes them.
    const { onOne, onTwo, codes, roomTwo } = await loadedAtOnce(one, two, loads, boardId, connectTo)

    for (const doc of [onOne.doc, onTwo.doc, roomTwo.doc]) expect(unnamedKeysIn(doc)).toEqual([])
    expect(await withStoredDoc(one, boardId, unnamedKeysIn)).toEqual([])
    const history = (await api.get<BoardHistory>(`/api/boards/${boardId}/history`)).body
    const sessions = history.sessions.filter((session) => session.by.name === SERVER_NAME)
    expect(sessions).toHaveLength(1)
    expect(sessions[0]!.edits).toBeLessThanOrEqual(2)

    await deleteAndUndo(onTwo.doc, onOne.doc, card, TITLE, one, boardId)
    expect(codes).toEqual([[], []])
  })
})
