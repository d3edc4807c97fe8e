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
import { acknowledgementsMap, blufText, entity, metaMap } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { acknowledgeFinding, addAssessment, updateAssessment, updateMeta, withdrawAcknowledgement } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { apiClient } from './helpers/api.ts'
import { craftedItem, craftedItems, type CraftedContent, type CraftedPlace } from './helpers/crafted-update.ts'
import { frames, openRawSocket, syncReplies } from './helpers/raw-socket.ts'
import { storeChange, storedBoard, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

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

/**
 * Sends the update from a socket of its own, then a sync step 1: resolves with
 * the code the socket was closed with, or `taken` once the step 1 is answered
 * (a socket's frames are handled in order, so the update was).
 */
async function sendHostile(running: TestServer, boardId: string, update: Uint8Array): Promise<number | 'taken'> {
  const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
  try {
    socket.send(frames.update(update))
    socket.send(frames.syncStep1(new Uint8Array([0])))
    await waitFor(() => socket.isClosed() || syncReplies(socket.received).length > 0, 'the update to be refused or taken')
    return socket.isClosed() ? (await socket.closed).code : 'taken'
  } finally {
    socket.terminate()
  }
}

/** The update a document of the attacker's client sends for what `write` does to it. */
function written(write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = ATTACKER.client
  try {
    write(doc)
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
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

  it('no subdocument, no root but the layout’s, and only their values in the settings and acknowledgements: each closes its sender 4422 with nothing applied, the stock providers beside it stay open, and honest edits of both pass', async () => {
    const { running, api, boardId } = await startWithBoard()
    const [ana, bo] = [connect(running.wsUrl, boardId), connect(running.wsUrl, boardId)]
    const codes = [closeCodes(ana), closeCodes(bo)]
    await Promise.all([ana.synced(), bo.synced()])
    const attacks: [string, (doc: Y.Doc) => void][] = [
      ['a subdocument under acknowledgements', (doc) => acknowledgementsMap(doc).set('no-likelihood:x', new Y.Doc())],
      ['a subdocument under meta', (doc) => metaMap(doc).set('title', new Y.Doc())],
      ['subdocuments in a root the layout does not have', (doc) => doc.getArray('subdocs').push([new Y.Doc({ guid: 'a' }), new Y.Doc({ guid: 'b' })])],
      ['a text as a root the layout does not have', (doc) => doc.getText('notes').insert(0, 'kept and sent to every page')],
      ['a map under meta', (doc) => metaMap(doc).set('question', new Y.Map())],
      ['an XML element under meta', (doc) => metaMap(doc).set('profile', new Y.XmlElement('p'))],
      ['bytes under meta', (doc) => metaMap(doc).set('title', new Uint8Array([1, 2, 3]))],
      ['undefined under meta', (doc) => metaMap(doc).set('marking', undefined)],
      ['a number as a setting', (doc) => metaMap(doc).set('title', 42)],
      ['a key the settings do not have', (doc) => metaMap(doc).set('note', 'unread')],
      ['bytes under acknowledgements', (doc) => acknowledgementsMap(doc).set('no-likelihood:x', new Uint8Array([1]))],
      ['a map under acknowledgements', (doc) => acknowledgementsMap(doc).set('no-likelihood:x', new Y.Map())],
      ['a number under acknowledgements', (doc) => acknowledgementsMap(doc).set('no-likelihood:x', 7)],
      ['an acknowledgement holding an array', (doc) => acknowledgementsMap(doc).set('no-likelihood:x', { rule: 'no-likelihood', reason: ['a'] })],
    ]
    for (const [what, write] of attacks) expect(await sendHostile(running, boardId, written(write)), what).toBe(CLOSE.updateRejected.code)

    expect(Y.getState(running.services.rooms.loadedRooms.get(boardId)!.doc.store, ATTACKER.client)).toBe(0)
    expect(await withStoredDoc(running, boardId, (doc) => [Y.getState(doc.store, ATTACKER.client), [...doc.share.keys()].sort()])).toEqual([0, ['meta']])
    // The app's own edits of the settings and acknowledgements, a key set again and again among them.
    updateMeta(ana.doc, { title: 'Renamed', question: 'Will it hold?', marking: 'TLP:GREEN', profile: 'icd203-alt', bluf: 'It holds.' })
    updateMeta(ana.doc, { title: 'Renamed again' })
    acknowledgeFinding(ana.doc, { key: 'no-likelihood:a', rule: 'no-likelihood', reason: 'Checked with the desk.' }, { by: 'ana' })
    // Set again once the relay's stamp of the first (in the sender's name) has come back, as a person's second thought
    // would: an acknowledgement set again before it has is concurrent with that stamp, and either may win.
    await waitFor(() => boardToModel(ana.doc, boardId).acknowledgements?.[0]?.createdBy === 'analyst', 'the first acknowledgement stamped at its sender')
    acknowledgeFinding(ana.doc, { key: 'no-likelihood:a', rule: 'no-likelihood', reason: 'Checked again.' }, { by: 'ana' })
    acknowledgeFinding(ana.doc, { key: 'no-likelihood:b', rule: 'no-likelihood', reason: 'Withdrawn next.' })
    withdrawAcknowledgement(ana.doc, 'no-likelihood:b')
    await waitFor(async () => {
      const stored = await storedBoard(running, boardId)
      return stored.title === 'Renamed again' && stored.acknowledgements?.length === 1 && stored.acknowledgements[0]!.reason === 'Checked again.'
    }, 'the honest edits stored')
    const read = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect([read.title, read.question, read.marking, read.profile, read.bluf]).toEqual(['Renamed again', 'Will it hold?', 'TLP:GREEN', 'icd203-alt', 'It holds.'])
    await waitFor(() => metaMap(bo.doc).get('title') === 'Renamed again' && acknowledgementsMap(bo.doc).size === 1, 'the honest edits at the other provider')
    expect(codes).toEqual([[], []])
  })

  it('a card’s title or judgment given a new text is refused, and what was typed into it stays; a card with no title text is given one', async () => {
    const { running, api, boardId } = await startWithBoard()
    const typist = connect(running.wsUrl, boardId)
    const codes = closeCodes(typist)
    await typist.synced()
    const id = addAssessment(typist.doc, { title: 'Typed by Ana', judgment: 'Likely.' })
    await waitFor(async () => (await storedBoard(running, boardId)).assessments.length === 1, 'the card stored')
    for (const field of ['title', 'judgment'] as const) {
      const forger = new Y.Doc()
      Y.applyUpdate(forger, Y.encodeStateAsUpdate(typist.doc))
      const before = Y.encodeStateVector(forger)
      entity(forger, 'assessments', id)!.set(field, new Y.Text('Replaced'))
      expect(await sendHostile(running, boardId, Y.encodeStateAsUpdate(forger, before)), field).toBe(CLOSE.updateRejected.code)
      forger.destroy()
    }
    const card = (await storedBoard(running, boardId)).assessments[0]!
    expect([card.title, card.judgment]).toEqual(['Typed by Ana', 'Likely.'])

    // A card put on the board without a title, as only a hostile client writes one: the app's edit gives it a text.
    const bare = new Y.Map<unknown>([['kind', 'assessment']])
    const update = written((doc) => doc.getMap('assessments').set('bare', bare))
    expect(await sendHostile(running, boardId, update)).toBe('taken')
    await waitFor(() => entity(typist.doc, 'assessments', 'bare'), 'the bare card at the typist')
    updateAssessment(typist.doc, 'bare', { title: 'Given a title' })
    await waitFor(async () => (await withStoredDoc(running, boardId, (doc) => entity(doc, 'assessments', 'bare')?.get('title')?.toString())) === 'Given a title', 'the title stored')
    expect((await api.get(`/api/boards/${boardId}`)).status).toBe(200)
    expect(codes).toEqual([])
  })

  it('a board stored with subdocuments, a root of another name and settings of other kinds before these rules loads and is edited, and what it holds sent again is no change', async () => {
    const { running, api, boardId } = await startWithBoard({ ROOM_IDLE_MS: '0' })
    await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the new board to unload')
    const EARLIER = 55_555
    await storeChange(running, boardId, 'ws:earlier', (doc) => {
      doc.clientID = EARLIER
      doc.getText('notes').insert(0, 'kept from before')
      metaMap(doc).set('note', new Y.Map())
      acknowledgementsMap(doc).set('no-likelihood:x', 7)
    })
    await storeChange(running, boardId, 'ws:earlier', (doc) => {
      acknowledgementsMap(doc).set('no-likelihood:y', new Y.Doc({ guid: 'stored' }))
      doc.getArray('subdocs').push([new Y.Doc({ guid: 'kept' })])
    })
    expect((await api.get(`/api/boards/${boardId}`)).status).toBe(200)
    const holder = connect(running.wsUrl, boardId)
    const codes = closeCodes(holder)
    await holder.synced()
    expect([holder.doc.getArray('subdocs').length, holder.doc.getText('notes').toString()]).toEqual([1, 'kept from before'])
    // Yjs skips what the board holds already, however an update sends it again.
    const allBut = Y.decodeStateVector(Y.encodeStateVector(holder.doc))
    allBut.delete(EARLIER)
    expect(await sendHostile(running, boardId, Y.encodeStateAsUpdate(holder.doc, Y.encodeStateVector(allBut)))).toBe('taken')
    updateMeta(holder.doc, { title: 'Edited after' })
    await waitFor(async () => (await storedBoard(running, boardId)).title === 'Edited after', 'the edit stored')
    expect(codes).toEqual([])
  })
})
