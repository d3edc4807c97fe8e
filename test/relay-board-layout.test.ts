/**
 * The board's layout holds whatever a hostile client writes over the
 * websocket, against the real server: the schema version stays the server's,
 * a collection holds only entities, and a value nested too deep for Yjs to
 * encode again never reaches the board's document. Each such update closes
 * its sender 4422 with nothing stored, and the board goes on loading, being
 * read and being edited by everyone else.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { blufText, metaMap } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { apiClient } from './helpers/api.ts'
import { craftedItem, type CraftedContent, type CraftedPlace } from './helpers/crafted-update.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
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
