/**
 * An entry of a collection is the map it came on the board as. An editor's
 * stock WebsocketProvider that sets a new map under the id of an entry the
 * board holds (or deletes it and sets one there in a later update) gets the
 * entry it replaced back: an imported claim keeps its words, source and
 * provenance, every entry its author and time, and the owner can still edit
 * it. A replacement crafted without deleting the entry is refused (4422),
 * nothing stored. A new claim that names a document without quoting it is
 * stored as a claim by hand, and a new entry naming another member as its
 * author is stamped with its sender's name. A real client's undo of deleting a claim still
 * brings it back as it was; one deleted before the room knew it comes back
 * in its sender's name with the server's time, and a claim that names a document without quoting
 * it, stored before these rules, is read as a claim by hand.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection, readString, requireEntity, type Collection } from '../shared/board-doc.ts'
import type { BoardModel, ClaimModel } from '../shared/board-model.ts'
import { deleteClaim } from '../shared/board-mutations.ts'
import { localOrigin } from '../shared/change-origin.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { craftedItem } from './helpers/crafted-update.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storeChange, storedBoard } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

const ARTICLE = ['Drones over Vilnius', 'Border guards saw three drones. Two were shot down. [citation: LRT]'].join('\n')
const QUOTE = 'Border guards saw three drones.'
const FORGED = 'Border guards saw no drones.'
const PAST = '2001-09-11T08:46:00.000Z'

describe('an entry replaced under its id over the websocket', () => {
  const given = useOwnedBoard({ owner: 'Ines Importer', board: 'Fixed quotes', env: { ROOM_IDLE_MS: '0' } })

  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body
  const importedClaim = async (): Promise<ClaimModel> => {
    expect((await given.api.post(`/api/boards/${given.boardId}/import`, { text: ARTICLE })).status).toBe(200)
    const claim = (await board()).claims.find((c) => c.text === QUOTE)!
    expect(claim.documentId).toBeDefined()
    return claim
  }
  /** The fields of the entry `id` of `name` in `doc` as plain values, changed by `change`. */
  const copyOf = (doc: Y.Doc, id: string, change: Record<string, unknown>, name: Collection = 'claims') => {
    const copy = new Y.Map<unknown>()
    const fields = { ...requireEntity(doc, name, id).toJSON(), ...change }
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) copy.set(key, value)
    return copy
  }
  const storedClaim = async (id: string) => (await storedBoard(given.server, given.boardId)).claims.find((c) => c.id === id)
  /** A later change, stored after anything the relay took of the ones before it. */
  const settled = async () => {
    const made = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'Later' })
    await waitFor(async () => (await storedBoard(given.server, given.boardId)).sources.some((s) => s.id === made.body.id) || undefined, 'a later change stored')
  }

  it("keeps an imported claim's words, provenance, author and time when the stock provider sets a copy with other words, a past time and no author under its id", async () => {
    const claim = await importedClaim()
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => collection(doc, 'claims').has(claim.id), 'the claim to reach the editor')
    collection(doc, 'claims').set(claim.id, copyOf(doc, claim.id, { text: FORGED, createdAt: PAST, createdBy: undefined, note: 'Replaced.' }))
    await waitFor(async () => (await storedClaim(claim.id))?.note === 'Replaced.' || undefined, 'the replacement stored')

    expect(await storedClaim(claim.id)).toEqual({ ...claim, note: 'Replaced.' })
    expect((await board()).claims.find((c) => c.id === claim.id)).toEqual({ ...claim, note: 'Replaced.' })
    const stix = JSON.stringify((await given.api.get(`/api/boards/${given.boardId}/export?format=stix`)).body)
    expect(stix).toContain(QUOTE)
    expect(stix).not.toContain(FORGED)
    // The owner's note on it still goes through: the claim is the owner's imported quote, not a forgery locked in.
    expect((await given.api.patch(`/api/boards/${given.boardId}/claims/${claim.id}`, { note: 'Checked.' })).status).toBe(200)
  })

  it("keeps a document's text, which its claims quote, when the stock provider sets a copy with other text under its id", async () => {
    const claim = await importedClaim()
    const documentId = claim.documentId!
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => collection(doc, 'documents').has(documentId), 'the document to reach the editor')
    const imported = requireEntity(doc, 'documents', documentId).toJSON()
    collection(doc, 'documents').set(documentId, copyOf(doc, documentId, { text: ARTICLE.replace('three drones', 'no drones'), hash: 'forged', title: 'Replaced' }, 'documents'))
    await waitFor(async () => (await storedBoard(given.server, given.boardId)).documents[0]?.title === 'Replaced' || undefined, 'the replacement stored')

    // Its claims still quote it, and a fresh reader gets the text imported.
    expect((await storedClaim(claim.id))?.documentId).toBe(documentId)
    const reader = await given.connectAs(given.owner)
    expect(requireEntity(reader.doc, 'documents', documentId).toJSON()).toEqual({ ...imported, title: 'Replaced' })
    expect(mallory.closes).toEqual([])
  })

  it('brings a claim deleted and set again under its id in a later update back with its words, provenance, author and time', async () => {
    const claim = await importedClaim()
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => collection(doc, 'claims').has(claim.id), 'the claim to reach the editor')
    const copy = copyOf(doc, claim.id, { text: FORGED, createdAt: PAST, createdBy: undefined })
    collection(doc, 'claims').delete(claim.id)
    await waitFor(async () => (await storedClaim(claim.id)) === undefined || undefined, 'the claim deleted')
    collection(doc, 'claims').set(claim.id, copy)
    await waitFor(async () => (await storedClaim(claim.id)) !== undefined || undefined, 'the claim back')

    expect(await storedClaim(claim.id)).toEqual(claim)
    expect(mallory.closes).toEqual([])
  })

  it('refuses a new map under the id of a claim the board holds, written without deleting it (4422), nothing stored', async () => {
    const claim = await importedClaim()
    const mallory = await addAccount(given.server, { name: 'Mallory Editor' })
    await addMember(given.server, given.boardId, mallory, 'editor')
    const watcher = await given.connectAs(given.owner)
    const held = collection(watcher.doc, 'claims')._map.get(claim.id)!
    const socket = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`)
    try {
      socket.send(frames.update(craftedItem({ client: 987_654_321, clock: 0 }, { after: held.id }, { map: true })))
      expect((await socket.closed).code).toBe(CLOSE.updateRejected.code)
    } finally {
      socket.terminate()
    }
    await settled()
    expect(await storedClaim(claim.id)).toEqual(claim)
  })

  it("stores a new claim that names a document without quoting it as a claim by hand, and one naming the document's importer in its sender's name", async () => {
    const claim = await importedClaim()
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => collection(doc, 'claims').has(claim.id), 'the claim to reach the editor')
    collection(doc, 'claims').set('forged-quote', copyOf(doc, claim.id, { id: 'forged-quote', text: 'Border guards shot down nothing.' }))
    collection(doc, 'claims').set('true-quote', copyOf(doc, claim.id, { id: 'true-quote' }))
    await waitFor(async () => ((await storedClaim('forged-quote')) && (await storedClaim('true-quote'))) || undefined, 'both claims stored')

    const forged = (await storedClaim('forged-quote'))!
    expect(forged).toMatchObject({ text: 'Border guards shot down nothing.', createdBy: 'Mallory Editor' })
    for (const field of ['documentId', 'paragraph', 'start', 'end']) expect(forged).not.toHaveProperty(field)
    expect(await storedClaim('true-quote')).toEqual({ ...claim, id: 'true-quote', createdBy: 'Mallory Editor' })
    // A claim by hand: its words can be corrected.
    expect((await given.api.patch(`/api/boards/${given.boardId}/claims/forged-quote`, { text: QUOTE })).status).toBe(200)
    expect(mallory.closes).toEqual([])
  })

  it('takes nothing from a map set and deleted within one update (sent by a client with its collection off) for the entry set after it under its key', async () => {
    const claim = await importedClaim()
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => collection(doc, 'claims').has(claim.id), 'the claim to reach the editor')
    // Off, the client sends what the map held with its deletion: a map naming the owner, 2001 and, under the imported claim's id, other words.
    doc.gc = false
    const claims = collection(doc, 'claims')
    const ghostThenEntry = (id: string, change: Record<string, unknown>) => {
      const ghost = copyOf(doc, claim.id, { id, createdAt: PAST, ...change })
      const entry = copyOf(doc, claim.id, { id, createdAt: PAST, ...change })
      doc.transact(() => {
        claims.set(id, ghost)
        claims.delete(id)
      })
      doc.transact(() => claims.set(id, entry))
    }
    const sent = new Date().toISOString()
    // A new id: the owner's imported quote, dated 2001, as the ghost says.
    ghostThenEntry('ghost-quote', {})
    // The imported claim's own id once it is deleted: other words.
    const forgedWords = copyOf(doc, claim.id, { text: FORGED, createdAt: PAST })
    claims.delete(claim.id)
    await waitFor(async () => (await storedClaim(claim.id)) === undefined || undefined, 'the imported claim deleted')
    doc.transact(() => {
      claims.set(claim.id, forgedWords)
      claims.delete(claim.id)
    })
    doc.transact(() => claims.set(claim.id, copyOf(doc, 'ghost-quote', { id: claim.id, text: FORGED, createdAt: PAST })))
    await waitFor(async () => ((await storedClaim('ghost-quote')) && (await storedClaim(claim.id))) || undefined, 'both claims stored')

    const ghost = (await storedClaim('ghost-quote'))!
    expect(ghost.createdBy).toBe('Mallory Editor')
    expect(ghost.createdAt >= sent).toBe(true)
    expect(await storedClaim(claim.id)).toEqual(claim)
    expect(mallory.closes).toEqual([])
  })

  it("brings back an imported claim as it was when a real client's undo brings back its deletion", async () => {
    const claim = await importedClaim()
    const edgar = await given.connectEditor('Edgar Editor')
    const { doc } = edgar.client
    await waitFor(() => collection(doc, 'claims').has(claim.id), 'the claim to reach the editor')
    const origin = localOrigin()
    const undo = new Y.UndoManager([collection(doc, 'claims')], { trackedOrigins: new Set([origin]) })
    try {
      deleteClaim(doc, claim.id, { by: 'Edgar Editor', origin })
      await waitFor(async () => (await storedClaim(claim.id)) === undefined || undefined, 'the claim deleted')
      undo.undo()
      await waitFor(async () => (await storedClaim(claim.id)) !== undefined || undefined, 'the claim back')
      expect(await storedClaim(claim.id)).toEqual(claim)
      expect(edgar.closes).toEqual([])
    } finally {
      undo.destroy()
    }
  })

  it("brings a claim back under its id in the sender's name with the server's time once the room no longer knows what it held (its deletion compacted before the room loaded)", async () => {
    const source = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'Agency' })
    const id = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/claims`, { text: 'Fuel trucks arrived.', sourceId: source.body.id })).body.id
    const edgar = await given.connectEditor('Edgar Editor')
    await waitFor(() => collection(edgar.client.doc, 'claims').has(id), 'the claim to reach the editor')
    const copy = copyOf(edgar.client.doc, id, { createdAt: PAST })
    collection(edgar.client.doc, 'claims').delete(id)
    await waitFor(async () => (await storedClaim(id)) === undefined || undefined, 'the claim deleted')
    edgar.client.destroy()
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')
    await given.server.services.compaction.compact(given.boardId)

    const mallory = await given.connectEditor('Mallory Editor')
    const sent = new Date().toISOString()
    collection(mallory.client.doc, 'claims').set(id, copy)
    await waitFor(async () => (await storedClaim(id)) !== undefined || undefined, 'the claim back')
    const back = (await storedClaim(id))!
    expect(back.createdBy).toBe('Mallory Editor')
    expect(back.createdAt >= sent).toBe(true)
    expect(mallory.closes).toEqual([])
  })

  it('reads a claim stored before these rules that names a document without quoting it as a claim by hand, and exports the board', async () => {
    const claim = await importedClaim()
    const room = given.server.services.rooms.loadedRooms.get(given.boardId)
    if (room) await room.whenSaved()
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')
    await storeChange(given.server, given.boardId, 'ws:before-the-rule', (doc) => requireEntity(doc, 'claims', claim.id).set('text', FORGED))

    const read = (await board()).claims.find((c) => c.id === claim.id)!
    expect(read.text).toBe(FORGED)
    for (const field of ['documentId', 'paragraph', 'start', 'end']) expect(read).not.toHaveProperty(field)
    for (const format of ['md', 'stix']) expect((await given.api.get(`/api/boards/${given.boardId}/export?format=${format}`)).status, format).toBe(200)
    // Its words are not fixed as a quote's: its owner corrects them, and an editor's client writes them.
    expect((await given.api.patch(`/api/boards/${given.boardId}/claims/${claim.id}`, { text: 'Border guards reported drones.' })).status).toBe(200)
    const mallory = await given.connectEditor('Mallory Editor')
    const { doc } = mallory.client
    await waitFor(() => readString(requireEntity(doc, 'claims', claim.id), 'text') === 'Border guards reported drones.' || undefined, "the owner's words to reach the editor")
    requireEntity(doc, 'claims', claim.id).set('text', 'Border guards saw some drones.')
    await waitFor(async () => (await board()).claims.some((c) => c.id === claim.id && c.text === 'Border guards saw some drones.') || undefined, "the editor's words stored")
    expect(mallory.closes).toEqual([])
  })
})
