/**
 * A board stored by an older release with values the relay now refuses being
 * set (a likelihood of 9, a tag past twice its limit, an object and a number
 * after 32 tags, a card's title and the board's title past twice theirs),
 * against the real server: the server brings them within bounds as it loads
 * the board (server/relay/load-repair.ts: the likelihood deleted, with the
 * yardstick recorded with it; the texts and the tags cut to their limits, the
 * tag before a surrogate pair's first half, the tags to their first 32, not
 * deleted for what follows), as one change of its own, stored and sent like
 * any other, shown in the history
 * as "Assay (values within bounds)". An analyst who then deletes the card and
 * undoes it is no longer refused (4422): the undo sets the card's every field
 * again. Two instances on PostgreSQL and Redis loading the board at once write
 * the very same repair, stored once in the board's content.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { entity, metaMap } from '../shared/board-doc.ts'
import type { BoardHistory } from '../shared/history-model.ts'
import { LIMITS } from '../shared/limits.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { loadedAtOnce } from './helpers/loaded-at-once.ts'
import { LoadGate } from './helpers/load-gate.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { deleteAndUndo } from './helpers/undone-deletion.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

const TITLE = 'A build-up is under way'
/** Past twice a tag's 64 characters; the 64th unit is the first half of a surrogate pair, so read cut it is 63 long. */
const LONG_TAG = `${'a'.repeat(63)}😀${'b'.repeat(200)}`
/** Tags 3 to 32, after which an older release's relay took anything (field-values.ts): the load repair keeps them, and cuts what follows. */
const MORE_TAGS = Array.from({ length: 30 }, (_, index) => `tag ${index}`)
const LONG_TITLE = `${TITLE} ${'x'.repeat(2 * LIMITS.shortText)}`
const SERVER_NAME = 'Assay (values within bounds)'
const WARNING = 'past the relay’s bounds'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

/** What the board holds of the values stored past their bounds: the card's likelihood (and the yardstick recorded with it), tags and title, and the board's title. */
function heldValues(doc: Y.Doc, card: string) {
  const entry = entity(doc, 'assessments', card)
  return { likelihood: entry?.get('likelihood'), yardstick: entry?.get('likelihoodYardstick'), tags: entry?.get('tags'), title: entry?.get('title')?.toString(), boardTitle: metaMap(doc).get('title') }
}

const WITHIN_BOUNDS = { likelihood: undefined, yardstick: undefined, tags: ['east', 'a'.repeat(63), ...MORE_TAGS], title: LONG_TITLE.slice(0, LIMITS.shortText), boardTitle: 'B'.repeat(LIMITS.shortText) }

/** Stores, as an older release's relay took them, values past today's bounds on the card and the board. */
function storeValuesPastBounds(running: TestServer, boardId: string, card: string): Promise<void> {
  return storeChange(running, boardId, 'ws:before-the-rule', (doc) => {
    const entry = entity(doc, 'assessments', card)!
    entry.set('likelihood', 9)
    entry.set('tags', ['east', LONG_TAG, ...MORE_TAGS, { big: 'z'.repeat(1000) }, 42])
    const title = entry.get('title') as Y.Text
    title.insert(title.length, LONG_TITLE.slice(TITLE.length))
    metaMap(doc).set('title', 'B'.repeat(3 * LIMITS.shortText))
  })
}

const newCard = { title: TITLE, kind: 'key-judgment', likelihood: 4, tags: ['east'] }

describe('a board stored with values past today’s bounds', () => {
  it('loads with them within bounds for every client and in storage, the server’s change in its history; deleting the card and undoing it is accepted', async () => {
    const lines: string[] = []
    let running = (server = await startTestServer({ logSink: (line) => lines.push(line) }))
    const api = apiClient(running.url)
    const boardId = await api.createBoard('Stored values')
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, newCard)).body.id
    running = server = await running.restart()
    await storeValuesPastBounds(running, boardId, card)
    expect(await withStoredDoc(running, boardId, (doc) => heldValues(doc, card).likelihood)).toBe(9)

    const [ana, bo] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
    const codes = [closeCodes(ana), closeCodes(bo)]
    await Promise.all([ana.synced(), bo.synced()])
    for (const client of [ana, bo]) expect(heldValues(client.doc, card)).toEqual(WITHIN_BOUNDS)
    await running.services.rooms.loadedRooms.get(boardId)!.whenSaved()
    expect(await withStoredDoc(running, boardId, (doc) => heldValues(doc, card))).toEqual(WITHIN_BOUNDS)
    const warnings = lines.filter((line) => line.includes(WARNING))
    expect(warnings.map((line) => JSON.parse(line) as unknown)).toMatchObject([{ level: 40, boardId, values: 4, texts: 1 }])
    const history = (await apiClient(running.url).get<BoardHistory>(`/api/boards/${boardId}/history`)).body
    expect(history.sessions.filter((session) => session.by.name === SERVER_NAME)).toMatchObject([{ by: { userId: null }, edits: 1 }])

    // The analyst's undo of the card's deletion sets every field again: each is within bounds now.
    await deleteAndUndo(ana.doc, bo.doc, card, WITHIN_BOUNDS.title, running, boardId)
    expect(codes).toEqual([[], []])
    expect(heldValues(bo.doc, card)).toEqual(WITHIN_BOUNDS)

    // Loaded again, nothing more to repair or store.
    ana.destroy()
    bo.destroy()
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    const rows = (await running.services.storage.log.load(boardId)).updates.length
    running = server = await running.restart()
    lines.length = 0
    const again = connect(running.wsUrl, boardId)
    await again.synced()
    await running.services.rooms.loadedRooms.get(boardId)!.whenSaved()
    expect((await running.services.storage.log.load(boardId)).updates.length).toBe(rows)
    expect(lines.filter((line) => line.includes(WARNING))).toEqual([])
  })
})

/** How many items a key of a map has held, its deleted values included: each value set under it is one. */
function valuesEverUnder(map: Y.Map<unknown>, key: string): number {
  let count = 0
  for (let item = map._map.get(key) ?? null; item !== null; item = item.left) count++
  return count
}

describeUnless(missing)('two instances loading such a board at once', () => {
  const { start, connect: connectTo } = instancesAfterEach()

  it('write the very same repair: one value set under each key in the board, the same at both, and an undone deletion accepted on either', async () => {
    const loads = new LoadGate('after-read')
    const one = await start({ env: { ROOM_IDLE_MS: '0' } })
    const two = await start({ database: one.database, wrapStorage: loads.wrap, env: { ROOM_IDLE_MS: '0' } })
    const api = apiClient(one.url)
    const boardId = await api.createBoard('Loaded twice')
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, newCard)).body.id
    await waitFor(() => !one.services.rooms.loadedRooms.has(boardId), 'the new board’s room unloaded')
    await storeValuesPastBounds(one, boardId, card)
    const setBefore = await withStoredDoc(one, boardId, (doc) => valuesEverUnder(entity(doc, 'assessments', card)!, 'tags'))

    // Two reads the board as stored, past its bounds, and waits; meanwhile one loads it and repairs it.
    const { onOne, onTwo, codes, roomOne, roomTwo } = await loadedAtOnce(one, two, loads, boardId, connectTo)
    await waitFor(() => Y.encodeStateVector(roomOne.doc).toString() === Y.encodeStateVector(roomTwo.doc).toString(), 'both instances to hold each other’s repair')

    for (const doc of [onOne.doc, onTwo.doc, roomTwo.doc]) expect(heldValues(doc, card)).toEqual(WITHIN_BOUNDS)
    // Each instance's repair set the tags once; written under one client id, clock for clock, they are one item.
    expect(await withStoredDoc(one, boardId, (doc) => [heldValues(doc, card), valuesEverUnder(entity(doc, 'assessments', card)!, 'tags')])).toEqual([WITHIN_BOUNDS, setBefore + 1])

    await deleteAndUndo(onTwo.doc, onOne.doc, card, WITHIN_BOUNDS.title, one, boardId)
    expect(codes).toEqual([[], []])
  })
})
