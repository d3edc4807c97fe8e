/**
 * The board's layout holds whatever a hostile client writes over the
 * websocket, against the real server: the schema version stays the server's,
 * a collection holds only entities, a map's value is one unit as Yjs writes
 * it, and a value nested too deep for Yjs to encode again never reaches the
 * board's document. Each such update closes its sender 4422 with nothing
 * stored, and the board goes on loading, being read and being edited by
 * everyone else.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { blufText, entity, metaMap } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment, updateAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { apiClient } from './helpers/api.ts'
import { craftedItem, craftedItems, type CraftedContent, type CraftedPlace } from './helpers/crafted-update.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

async function startWithBoard(env: Record<string, string> = {}) {
  const running = (server = await startTestServer({ env }))
  const api = apiClient(running.url)
  const boardId = await api.createBoard('Layout')
  return { running, api, boardId }
}

/** Sends the update from a socket of its own; resolves with the code it was closed with. */
async function sendHostile(running: TestServer, boardId: string, update: Uint8Array): Promise<number> {
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
  try {
    socket.send(frames.update(update))
    return (await socket.closed).code
  } finally {
    socket.terminate()
  }
}

const ATTACKER = { client: 987_654_321, clock: 0 }
const item = (place: CraftedPlace, content: CraftedContent) => craftedItem(ATTACKER, place, content)

describe('the board layout on the websocket', () => {
  it('the schema version is the server’s: set to another or deleted, its sender is closed and the board still loads once unloaded', async () => {
    const { running, api, boardId } = await startWithBoard({ ROOM_IDLE_MS: '0' })
    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    const version = metaMap(reader.doc)._map.get('schemaVersion')!
    reader.destroy()
    const attacks: [string, Uint8Array][] = [
      ['set to 99', item({ root: 'meta', key: 'schemaVersion' }, { any: 99 })],
      ['set to a string', item({ root: 'meta', key: 'schemaVersion' }, { any: 'x' })],
      ['set beside the stored one', item({ after: version.lastId }, { any: 99 })],
      ['deleted', deletionsUpdate([[version.id.client, [[version.id.clock, 1]]]])],
    ]
    for (const [what, update] of attacks) expect(await sendHostile(running, boardId, update), what).toBe(CLOSE.updateRejected.code)
    expect((await storedBoard(running, boardId)).schemaVersion).toBe(1)

    await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the board to unload')
    const read = await api.get<BoardModel>(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    const editor = connect(running.wsUrl, boardId)
    await editor.synced()
    expect(metaMap(editor.doc).get('schemaVersion')).toBe(1)
  })

  it('an item waiting for the one it follows is checked again once that one arrives: set beside an allowed schema version, it is refused', async () => {
    const { running, boardId } = await startWithBoard()
    const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
    try {
      // First the item that follows one the board does not have yet (held, where it lands unknown), then that one.
      socket.send(frames.update(craftedItem({ client: ATTACKER.client, clock: 1 }, { after: { client: ATTACKER.client, clock: 0 } as Y.ID }, { any: 99 })))
      socket.send(frames.update(item({ root: 'meta', key: 'schemaVersion' }, { any: 1 })))
      expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
    } finally {
      socket.terminate()
    }
    const room = running.services.rooms.loadedRooms.get(boardId)
    if (room) await room.whenSaved()
    expect((await storedBoard(running, boardId)).schemaVersion).toBe(1)
  })

  it('a collection holds only entities: a number or a text under an id closes its sender, and every read of the board still answers', async () => {
    const { running, api, boardId } = await startWithBoard()
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Held' })).status).toBe(201)
    const attacks: [string, Uint8Array][] = [
      ['a number', item({ root: 'assessments', key: 'zz-evil' }, { any: 42 })],
      ['JSON', item({ root: 'sources', key: 'zz-evil' }, { json: '"text"' })],
      ['a value without a key', item({ root: 'claims' }, { any: 'loose' })],
    ]
    for (const [what, update] of attacks) expect(await sendHostile(running, boardId, update), what).toBe(CLOSE.updateRejected.code)

    for (const path of ['', '/checks', '/export?format=md']) expect((await api.get(`/api/boards/${boardId}${path}`)).status, path).toBe(200)
    expect((await api.post(`/api/boards/${boardId}/snapshots`, { label: 'After' })).status).toBe(201)
    expect((await storedBoard(running, boardId)).assessments.map((assessment) => assessment.title)).toEqual(['Held'])
  })

  it('a map’s value of several units closes its sender with nothing stored, and deleting the entity it was meant for is an ordinary edit', async () => {
    const { running, api, boardId } = await startWithBoard()
    const target = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target' })
    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    const kind = entity(reader.doc, 'assessments', target.body.id)!._map.get('kind')!
    const attacks: [string, Uint8Array][] = [
      // An item after its third character is deleted as it lands and leaves "poi" standing beside the value: deleting the assessment then made Yjs throw (test/room-reset.test.ts).
      [
        'a run of text cut in two',
        craftedItems(ATTACKER, [
          { place: { after: kind.lastId }, content: { string: 'poison' } },
          { place: { after: Y.createID(ATTACKER.client, 2) }, content: { any: 0 } },
        ]),
      ],
      ['a run of text beside the old value', item({ after: kind.lastId }, { string: 'poison' })],
      ['a run of text under a root map’s key', item({ root: 'meta', key: 'note' }, { string: 'poison' })],
    ]
    for (const [what, update] of attacks) expect(await sendHostile(running, boardId, update), what).toBe(CLOSE.updateRejected.code)

    expect(await withStoredDoc(running, boardId, (doc) => Y.getState(doc.store, ATTACKER.client))).toBe(0)
    expect(Y.getState(reader.doc.store, ATTACKER.client)).toBe(0)
    expect((await api.delete(`/api/boards/${boardId}/assessments/${target.body.id}`)).status).toBe(204)
    await waitFor(() => entity(reader.doc, 'assessments', target.body.id) === undefined, 'the deletion at the reader')
  })

  it('a key set again and again passes as Yjs sends it, its old values merged into one item of several units, with collection on or off', async () => {
    const { running, api, boardId } = await startWithBoard()
    const target = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target' })
    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    const kindAtReader = () => boardToModel(reader.doc, boardId).assessments[0]?.kind
    for (const [gc, kinds] of [
      [true, ['assessment', 'hypothesis', 'key-judgment', 'hypothesis']],
      [false, ['key-judgment', 'hypothesis', 'key-judgment', 'assessment']],
    ] as const) {
      const offline = new Y.Doc({ gc })
      Y.applyUpdate(offline, Y.encodeStateAsUpdate(reader.doc))
      for (const kind of kinds) updateAssessment(offline, target.body.id, { kind })
      const update = Y.encodeStateAsUpdate(offline)
      // Deleted content once collected, the old values themselves when not, which the update's deletions cover.
      const merged = Y.decodeUpdate(update).structs.filter((struct) => struct.id.client === offline.clientID && struct.length > 1)
      expect(merged.map((struct) => (struct as Y.Item).content.constructor), `gc ${gc}`).toEqual([gc ? Y.ContentDeleted : Y.ContentAny])
      const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
      try {
        socket.send(frames.update(update))
        await waitFor(() => kindAtReader() === kinds.at(-1), `the last kind set with gc ${gc} at the reader`)
      } finally {
        socket.terminate()
        offline.destroy()
      }
    }
  })

  it('a value nested deeper than a request body may be closes its sender, and the board’s edits go on reaching everyone and being stored', async () => {
    const { running, api, boardId } = await startWithBoard()
    const [typist, reader] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
    await Promise.all([typist.synced(), reader.synced()])
    // Yjs writes each of these again with a recursive encoder at every change, sync and snapshot.
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    const attacks: [string, Uint8Array][] = [
      ['JSON', item({ root: 'unused' }, { json: deep })],
      ['an embed', item({ root: 'bluf' }, { embed: deep })],
      ['a format mark', item({ root: 'bluf' }, { format: ['bold', deep] })],
    ]
    for (const [what, update] of attacks) expect(await sendHostile(running, boardId, update), what).toBe(CLOSE.updateRejected.code)

    blufText(typist.doc).insert(0, 'Typed after the attacks')
    addAssessment(typist.doc, { title: 'Added after the attacks' })
    await waitFor(() => blufText(reader.doc).toString() === 'Typed after the attacks', 'the typing at the reader')
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Posted after the attacks' })).status).toBe(201)
    await waitFor(async () => (await storedBoard(running, boardId)).assessments.length === 2, 'both cards stored')
    await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === 2, 'both cards at the reader')
    // None of the 20 KB of nesting reached it.
    expect(Y.encodeStateAsUpdate(reader.doc).byteLength).toBeLessThan(10_000)
  })
})
