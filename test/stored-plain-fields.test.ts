/**
 * A board stored before the relay refused an assessment's title or judgment
 * that is not a shared text loads with a shared text there, against the real
 * server: a string as it was, a number or a boolean as written, anything else
 * empty. The change is stored and sent like any other, once: a load after it
 * changes nothing. Two instances loading the board at once make the same
 * change, so each field ends with one text, whichever instance its typist is on.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { assessmentText, entity } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { LoadGate } from './helpers/load-gate.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

type Fields = { title: unknown; judgment: unknown }

/** Stores assessments whose fields hold `fields`' values as the relay once let them in; the board's room must not be loaded. */
async function storePlainFields(server: TestServer, boardId: string, fields: readonly Fields[]): Promise<string[]> {
  const ids: string[] = []
  await storeChange(server, boardId, 'ws:before-the-rule', (doc) => {
    for (const { title, judgment } of fields) {
      const id = addAssessment(doc, { title: 'replaced', judgment: 'replaced' })
      entity(doc, 'assessments', id)!.set('title', title)
      entity(doc, 'assessments', id)!.set('judgment', judgment)
      ids.push(id)
    }
  })
  return ids
}

/** What each field holds in `doc`: its text, or `not a text`. */
function fieldsIn(doc: Y.Doc, ids: readonly string[]): string[][] {
  return ids.map((id) => (['title', 'judgment'] as const).map((key) => {
    const value = entity(doc, 'assessments', id)!.get(key)
    return value instanceof Y.Text ? value.toString() : 'not a text'
  }))
}

const storedRows = async (server: TestServer, boardId: string) => (await server.services.storage.log.load(boardId)).updates.length

describe('a board stored with titles and judgments that are not shared texts', () => {
  let server: TestServer | undefined
  const connect = clientsDestroyedAfterEach()
  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  it('loads with a shared text in each, stored and sent as one change, made once', async () => {
    const lines: string[] = []
    let running = (server = await startTestServer({ logSink: (line) => lines.push(line) }))
    const boardId = await apiClient(running.url).createBoard('Stored before')
    running = server = await running.restart()
    const ids = await storePlainFields(running, boardId, [
      { title: 'A plain stored title', judgment: 42 },
      { title: true, judgment: { nested: 'object' } },
      { title: new Y.Map(), judgment: 'Judged plainly' },
    ])
    const expected = [
      ['A plain stored title', '42'],
      ['true', ''],
      ['', 'Judged plainly'],
    ]
    lines.length = 0

    // The first fresh client is sent the stored rows and the change made at load.
    const first = connect(running.wsUrl, boardId)
    await first.synced()
    expect(fieldsIn(first.doc, ids)).toEqual(expected)
    const room = running.services.rooms.loadedRooms.get(boardId)!
    await room.whenSaved()
    expect(await withStoredDoc(running, boardId, (doc) => fieldsIn(doc, ids))).toEqual(expected)
    const warnings = lines.filter((line) => line.includes('titles and judgments'))
    expect(warnings).toHaveLength(1)
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, boardId, fields: 6 })

    assessmentText(first.doc, ids[0]!, 'title').insert(0, 'Typed: ')
    await waitFor(() => assessmentText(room.doc, ids[0]!, 'title').toString() === 'Typed: A plain stored title', 'the typing in the room')
    await room.whenSaved()

    // Loaded again, the board holds texts only: nothing more to change or store.
    first.destroy()
    const rows = await storedRows(running, boardId)
    running = server = await running.restart()
    lines.length = 0
    const second = connect(running.wsUrl, boardId)
    await second.synced()
    expect(fieldsIn(second.doc, ids)).toEqual([['Typed: A plain stored title', '42'], ...expected.slice(1)])
    await running.services.rooms.loadedRooms.get(boardId)!.whenSaved()
    expect(await storedRows(running, boardId)).toBe(rows)
    expect(lines.filter((line) => line.includes('titles and judgments'))).toEqual([])
  })
})

describeUnless(missing)('two instances loading such a board at once', () => {
  const { start, connect } = instancesAfterEach()

  /** How many shared texts were ever set as the field: one, unless two instances each set their own. */
  const textsEverSet = (doc: Y.Doc, id: string, key: string) => {
    const map = entity(doc, 'assessments', id)!
    let texts = 0
    for (const structs of doc.store.clients.values()) {
      for (const struct of structs) {
        if (struct instanceof Y.Item && struct.parent === map && struct.parentSub === key && struct.content instanceof Y.ContentType) texts++
      }
    }
    return texts
  }

  it('make the same change: each field ends with one text, and typing on the instance that loaded first stays', async () => {
    const loads = new LoadGate('after-read')
    const one = await start({ env: { ROOM_IDLE_MS: '0' } })
    const two = await start({ database: one.database, wrapStorage: loads.wrap, env: { ROOM_IDLE_MS: '0' } })
    const boardId = await apiClient(one.url).createBoard('Loaded twice')
    await waitFor(() => !one.services.rooms.loadedRooms.has(boardId), 'the new board’s room unloaded')
    const [id] = await storePlainFields(one, boardId, [{ title: 'A plain stored title', judgment: 'Judged plainly' }])

    // Two reads the board as stored and waits; meanwhile one loads it, gives it its texts, and someone types there.
    loads.hold()
    const onTwo = connect(two, boardId)
    await waitFor(() => loads.waiting > 0, 'two’s load to have read the board')
    const onOne = connect(one, boardId)
    await onOne.synced()
    assessmentText(onOne.doc, id!, 'title').insert(0, 'One: ')
    const roomOne = one.services.rooms.loadedRooms.get(boardId)!
    await waitFor(() => assessmentText(roomOne.doc, id!, 'title').toString().startsWith('One: '), 'the typing at one')
    await roomOne.whenSaved()
    loads.release()
    await onTwo.synced()
    assessmentText(onTwo.doc, id!, 'judgment').insert(0, 'Two: ')

    const rooms = [roomOne, two.services.rooms.loadedRooms.get(boardId)!]
    const expected = JSON.stringify([['One: A plain stored title', 'Two: Judged plainly']])
    for (const doc of [onOne.doc, onTwo.doc, ...rooms.map((room) => room.doc)]) await waitFor(() => JSON.stringify(fieldsIn(doc, [id!])) === expected, 'both edits everywhere')
    await Promise.all(rooms.map((room) => room.whenSaved()))
    await withStoredDoc(one, boardId, (doc) => {
      expect(JSON.stringify(fieldsIn(doc, [id!]))).toBe(expected)
      expect([textsEverSet(doc, id!, 'title'), textsEverSet(doc, id!, 'judgment')]).toEqual([1, 1])
    })
  })
})
