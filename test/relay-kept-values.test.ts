/**
 * What an entry keeps when it comes back under its key is a plain value, and
 * an update inserts no more plain values than MAX_INSERTED_VALUES, against the
 * real server with an editor's stock WebsocketProvider (the eleventh red
 * team's attacks). A new entry whose kept fields (a document's text, a claim's
 * source, …) hold a shared type, an array or an object closes its sender
 * 4422, nothing stored, and no one else's socket is closed; an entry stored
 * with such a field before that rule, deleted and set again under its key,
 * comes back without it instead of resetting the board; a value of 200,001
 * elements closes its sender 4422 unapplied, and so does a frame of nearly
 * 16 MiB holding one array of 16 million nulls, or one of a million structs
 * or ranges of deletions of one unit each (MAX_UPDATE_PIECES; the twelfth red
 * team's), the relay meanwhile relaying others' edits. An assessment's shared texts, and its tags, still go through.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAssessment } from '../shared/board-mutations.ts'
import { assessmentText, collection, type Collection } from '../shared/board-doc.ts'
import { LIMITS } from '../shared/limits.ts'
import { CLOSE } from '../shared/protocol.ts'
import { updateMessage } from '../server/relay/messages.ts'
import { MAX_INSERTED_VALUES } from '../server/relay/validate-update.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { craftedCollectedRun } from './helpers/crafted-update.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { openRawSocket } from './helpers/raw-socket.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

const IMPORTED_AT = '2026-01-01T00:00:00.000Z'

/** An update (format V1) of one item in the root array `name`: one value, an array of as many nulls as fill a websocket frame of the largest size. */
function frameOfNulls(client: number, name: string): Uint8Array {
  const encoder = encoding.createEncoder()
  // One client, one struct: client, first clock, then a ContentAny (8) item under the root type `name`, holding one value.
  for (const uint of [1, 1, client, 0]) encoding.writeVarUint(encoder, uint)
  encoding.writeUint8(encoder, 8)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, name)
  encoding.writeVarUint(encoder, 1)
  const nulls = LIMITS.maxMessageBytes - 64
  encoding.writeUint8(encoder, 117) // lib0 `any`: an array
  encoding.writeVarUint(encoder, nulls)
  encoding.writeUint8Array(encoder, new Uint8Array(nulls).fill(126)) // lib0 `any`: null
  encoding.writeVarUint(encoder, 0) // no deletions
  return updateMessage(encoding.toUint8Array(encoder))
}

/** An update (format V1) of a million structs of one unit each, all collected (2 bytes apiece): nothing a Yjs client writes, but Yjs takes it. */
function frameOfStructs(client: number): Uint8Array {
  return updateMessage(craftedCollectedRun(client, PIECES))
}

/** An update (format V1) of no structs and a million ordered ranges of deletions, one unit each, of a client the board has never seen. */
function frameOfDeletions(client: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0) // no structs
  for (const uint of [1, client, PIECES]) encoding.writeVarUint(encoder, uint)
  for (let i = 0; i < PIECES; i++) {
    encoding.writeVarUint(encoder, 2 * i)
    encoding.writeVarUint(encoder, 1)
  }
  return updateMessage(encoding.toUint8Array(encoder))
}

const PIECES = 1_000_000

/** A map of plain fields, and `nested` under its key as it is. */
function entryWith(fields: Record<string, unknown>, key: string, nested: unknown): Y.Map<unknown> {
  const entry = new Y.Map<unknown>()
  for (const [field, value] of Object.entries(fields)) entry.set(field, value)
  entry.set(key, nested)
  return entry
}

describe('kept fields and plain values over the websocket', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Kept values', env: { ROOM_IDLE_MS: '0' } })

  const storedEntry = (name: Collection, id: string) => withStoredDoc(given.server, given.boardId, (doc) => (collection(doc, name).get(id) as Y.Map<unknown> | undefined)?.toJSON())

  it('closes an editor 4422 whose new document holds a shared type, an array or an object as its text, or whose new claim does as its source, and no one else', async () => {
    const bystander = await given.connectEditor('Bea Bystander')
    const document = { title: 'x', importedAt: IMPORTED_AT }
    const claim = { text: 'Words.', credibility: 6, status: 'active', createdAt: IMPORTED_AT }
    const attacks: [what: string, name: Collection, id: string, fields: Record<string, unknown>, key: string, nested: () => unknown][] = [
      ['a map as a text', 'documents', 'd-map', document, 'text', () => new Y.Map()],
      ['a shared text as a text', 'documents', 'd-text', document, 'text', () => new Y.Text('kept')],
      ['an array as a text', 'documents', 'd-array', document, 'text', () => [{}, {}, {}]],
      ['an object as a hash', 'documents', 'd-object', { ...document, text: 'Words.' }, 'hash', () => ({ forged: true })],
      ['a map as a source', 'claims', 'c-map', claim, 'sourceId', () => new Y.Map()],
      ['a map as an unkept field', 'claims', 'c-note', { ...claim, sourceId: 's' }, 'note', () => new Y.Map()],
    ]
    for (const [what, name, id, fields, key, nested] of attacks) {
      const mallory = await given.connectEditor(`Mallory ${what}`)
      collection(mallory.client.doc, name).set(id, entryWith({ id, ...fields }, key, nested()))
      await waitFor(() => mallory.closes.length > 0 || undefined, `${what}: its sender closed`)
      expect(mallory.closes, what).toEqual([CLOSE.updateRejected.code])
      expect(await storedEntry(name, id), what).toBeUndefined()
    }
    // An assessment's shared texts and its tags are the model's own, and go through.
    const id = addAssessment(bystander.client.doc, { title: 'Still typed', tags: ['one', 'two'] })
    assessmentText(bystander.client.doc, id, 'judgment').insert(0, 'Judged.')
    await waitFor(async () => ((await storedEntry('assessments', id))?.['judgment'] === 'Judged.') || undefined, 'the card stored')
    expect(await storedEntry('assessments', id)).toMatchObject({ title: 'Still typed', tags: ['one', 'two'] })
    expect(bystander.closes).toEqual([])
  })

  it('brings back a document stored with a map as its text, deleted and set again under its key in a later update, without that text, and closes no one', async () => {
    await waitFor(() => !given.server.services.rooms.loadedRooms.has(given.boardId) || undefined, 'the board to unload')
    // Stored before the relay refused it.
    await storeChange(given.server, given.boardId, 'ws:before-the-rule', (doc) => {
      collection(doc, 'documents').set('stored', entryWith({ id: 'stored', title: 'Stored', importedAt: IMPORTED_AT, hash: 'h' }, 'text', new Y.Map()))
    })
    const watcher = await given.connectEditor('Wes Watcher')
    const mallory = await given.connectEditor('Mallory Editor')
    const documents = collection(mallory.client.doc, 'documents')
    expect(documents.get('stored')).toBeInstanceOf(Y.Map)
    documents.delete('stored')
    await waitFor(async () => (await storedEntry('documents', 'stored')) === undefined || undefined, 'the document deleted')
    documents.set('stored', entryWith({ id: 'stored', title: 'Back' }, 'importedAt', IMPORTED_AT))
    await waitFor(async () => (await storedEntry('documents', 'stored')) !== undefined || undefined, 'the document back')

    expect(await storedEntry('documents', 'stored')).toEqual({ id: 'stored', title: 'Back', importedAt: IMPORTED_AT, hash: 'h' })
    expect(mallory.closes).toEqual([])
    expect(watcher.closes).toEqual([])
  })

  it(`closes 4422 an update inserting more than ${MAX_INSERTED_VALUES} plain values, in one value or as many, with nothing applied`, async () => {
    const watcher = await given.connectEditor('Wes Watcher')
    const attacks: [string, (doc: Y.Doc) => void][] = [
      ['a document text of as many empty objects', (doc) => collection(doc, 'documents').set('wide', entryWith({ id: 'wide', title: 'x', importedAt: IMPORTED_AT }, 'note', Array.from({ length: MAX_INSERTED_VALUES + 1 }, () => ({}))))],
      ['a shared array of as many nulls', (doc) => doc.getArray('unused').push(new Array<null>(MAX_INSERTED_VALUES + 1).fill(null))],
    ]
    for (const [what, attack] of attacks) {
      const mallory = await given.connectEditor(`Mallory ${what}`)
      attack(mallory.client.doc)
      await waitFor(() => mallory.closes.length > 0 || undefined, `${what}: its sender closed`)
      expect(mallory.closes, what).toEqual([CLOSE.updateRejected.code])
      expect(Y.getState(watcher.client.doc.store, mallory.client.doc.clientID), what).toBe(0)
      expect(await withStoredDoc(given.server, given.boardId, (doc) => Y.getState(doc.store, mallory.client.doc.clientID)), what).toBe(0)
    }
    expect(watcher.closes).toEqual([])
  })

  it('closes 4422 a frame of nearly 16 MiB holding one array of 16 million nulls, or a million structs or deletions of one unit, and relays the others\' edits meanwhile', async () => {
    const watcher = await given.connectEditor('Wes Watcher')
    const writer = await given.connectEditor('Wren Writer')
    // Each from an editor of its own: a person's second large frame within a second is refused for its rate.
    const frames: [what: string, frame: Uint8Array][] = [
      ['an array of 16 million nulls', frameOfNulls(424242, 'unused')],
      ['a million structs of one unit', frameOfStructs(424243)],
      ['a million ordered deletions', frameOfDeletions(424244)],
    ]
    for (const [index, [what, frame]] of frames.entries()) {
      const mallory = await addAccount(given.server, { name: `Mallory Editor ${index}` })
      await addMember(given.server, given.boardId, mallory, 'editor')
      const socket = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`)
      try {
        expect(frame.byteLength, what).toBeLessThanOrEqual(LIMITS.maxMessageBytes)
        socket.send(frame)
        writer.client.doc.getMap('meta').set('question', `written meanwhile ${index}`)
        expect((await socket.closed).code, what).toBe(CLOSE.updateRejected.code)
        await waitFor(() => watcher.client.doc.getMap('meta').get('question') === `written meanwhile ${index}` || undefined, "the other editor's edit relayed")
      } finally {
        socket.terminate()
      }
    }
    for (const client of [424242, 424243]) {
      expect(Y.getState(watcher.client.doc.store, client)).toBe(0)
      expect(await withStoredDoc(given.server, given.boardId, (doc) => Y.getState(doc.store, client))).toBe(0)
    }
    expect(watcher.closes).toEqual([])
    expect(writer.closes).toEqual([])
  })
})
