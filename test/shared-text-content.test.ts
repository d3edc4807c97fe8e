/**
 * A board's shared texts hold characters only, whatever a member's stock
 * client writes into them, against the real server: an embed, a formatting
 * mark, text inserted with attributes, a nested map or text, a value, JSON, an
 * attribute of the text itself, or a title that is not a text at all closes
 * the sender 4422 with nothing stored, and everyone else goes on editing. A
 * board stored with such content before the relay refused it loads cleaned.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { assessmentText, blufText, collection, entity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { hasNonStringContent, sharedTexts } from '../shared/plain-text.ts'
import { CLOSE } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { craftedItem, craftedRuns, type CraftedContent, type CraftedPlace } from './helpers/crafted-update.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

let server: TestServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await server?.destroy()
  server = undefined
})

function connect(running: TestServer, boardId: string): TestClient {
  const client = connectClient(running.wsUrl, boardId)
  clients.push(client)
  return client
}

async function boardWithAssessment(running: TestServer) {
  const api = apiClient(running.url)
  const boardId = await api.createBoard('Texts')
  const created = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target', judgment: 'Judged' })
  expect(created.status).toBe(201)
  return { api, boardId, assessmentId: created.body.id }
}

/** What a shared text holds that is not characters, per text, in a document holding what the database holds. */
const storedForeignTexts = (running: TestServer, boardId: string) => withStoredDoc(running, boardId, (doc) => sharedTexts(doc).filter(hasNonStringContent).length)

describe('shared texts on the websocket', () => {
  it('anything but characters put into a text by the stock client closes its sender 4422, nothing stored, and honest edits go on', async () => {
    const running = (server = await startTestServer())
    const { boardId, assessmentId } = await boardWithAssessment(running)
    const honest = connect(running, boardId)
    const watcher = connect(running, boardId)
    await Promise.all([honest.synced(), watcher.synced()])
    const judgment = (doc: Y.Doc) => assessmentText(doc, assessmentId, 'judgment')
    const attacks: [string, (doc: Y.Doc) => void][] = [
      ['an embed', (doc) => judgment(doc).insertEmbed(1, { image: 'https://example.org/x.png' })],
      ['a formatting mark', (doc) => judgment(doc).format(0, 3, { bold: true })],
      ['text inserted with attributes', (doc) => judgment(doc).insert(0, 'Loud ', { bold: true })],
      ['a nested map', (doc) => judgment(doc).insertEmbed(0, new Y.Map())],
      ['a nested text', (doc) => judgment(doc).insertEmbed(0, new Y.Text('inner'))],
      ['an attribute of the text', (doc) => judgment(doc).setAttribute('colour', 'red')],
      ['an embed in the title', (doc) => assessmentText(doc, assessmentId, 'title').insertEmbed(0, { x: 1 })],
      ['an embed in the bottom line', (doc) => blufText(doc).insertEmbed(0, { x: 1 })],
      ['a title that is a string', (doc) => entity(doc, 'assessments', assessmentId)!.set('title', 'plain')],
      ['a judgment that is a map', (doc) => entity(doc, 'assessments', assessmentId)!.set('judgment', new Y.Map())],
      [
        'a new assessment with a title that is a string',
        (doc) => {
          const map = new Y.Map<unknown>()
          collection(doc, 'assessments').set('evil', map)
          map.set('id', 'evil')
          map.set('title', 'plain')
          map.set('judgment', new Y.Text(''))
        },
      ],
      [
        'a new assessment with an embed in its new judgment',
        (doc) => {
          const map = new Y.Map<unknown>()
          collection(doc, 'assessments').set('evil', map)
          const text = new Y.Text('x')
          map.set('judgment', text)
          text.insertEmbed(0, { x: 1 })
        },
      ],
    ]
    const attackers: number[] = []
    for (const [what, attack] of attacks) {
      const attacker = connect(running, boardId)
      await attacker.synced()
      const codes = closeCodes(attacker)
      attacker.doc.transact(() => attack(attacker.doc))
      attackers.push(attacker.doc.clientID)
      await waitFor(() => codes.length > 0, `the close of the sender of ${what}`)
      expect(codes[0], what).toBe(CLOSE.updateRejected.code)
      attacker.destroy()

      judgment(honest.doc).insert(0, '+')
      const expected = judgment(honest.doc).toString()
      await waitFor(() => judgment(watcher.doc).toString() === expected, `an honest edit after ${what}`)
    }
    for (const client of attackers) expect(Y.getState(watcher.doc.store, client)).toBe(0)
    expect(sharedTexts(watcher.doc).filter(hasNonStringContent)).toEqual([])

    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    const restarted = (server = await running.restart())
    const attackerStates = await withStoredDoc(restarted, boardId, (doc) => attackers.map((client) => Y.getState(doc.store, client)))
    expect(attackerStates).toEqual(attackers.map(() => 0))
    expect(await storedForeignTexts(restarted, boardId)).toBe(0)
    const read = await apiClient(restarted.url).get<BoardModel>(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    expect(read.body.assessments.map(({ title, judgment }) => ({ title, judgment }))).toEqual([
      { title: 'Target', judgment: `${'+'.repeat(attacks.length)}Judged` },
    ])
  })

  it('a value, JSON or an embed written as no Yjs client writes it into a text closes its sender 4422', async () => {
    const running = (server = await startTestServer())
    const { boardId, assessmentId } = await boardWithAssessment(running)
    const reader = connect(running, boardId)
    await reader.synced()
    const inJudgment = assessmentText(reader.doc, assessmentId, 'judgment')._start!.lastId
    const attacker = { client: 987_654_321, clock: 0 }
    const attacks: [string, CraftedPlace, CraftedContent][] = [
      ['a value after the judgment’s text', { after: inJudgment }, { any: 42 }],
      ['JSON after the judgment’s text', { after: inJudgment }, { json: '{"a":1}' }],
      ['a formatting mark after the judgment’s text', { after: inJudgment }, { format: ['bold', 'true'] }],
      ['a value into the bottom line', { root: 'bluf' }, { any: 'loose' }],
      ['an embed into the bottom line', { root: 'bluf' }, { embed: '{"x":1}' }],
      ['a value under a key of the bottom line', { root: 'bluf', key: 'colour' }, { any: 'red' }],
    ]
    for (const [what, place, content] of attacks) {
      const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
      try {
        socket.send(frames.update(craftedItem(attacker, place, content)))
        expect((await socket.closed).code, what).toBe(CLOSE.updateRejected.code)
      } finally {
        socket.terminate()
      }
    }
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    expect(await withStoredDoc(running, boardId, (doc) => Y.getState(doc.store, attacker.client))).toBe(0)
    expect(Y.getState(reader.doc.store, attacker.client)).toBe(0)
  })

  it('an embed beside an item or in a type the update says is elsewhere than Yjs puts it closes its sender 4422', async () => {
    const running = (server = await startTestServer())
    const { boardId, assessmentId } = await boardWithAssessment(running)
    const reader = connect(running, boardId)
    await reader.synced()
    const embed: CraftedContent = { embed: '{"x":1}' }
    const elsewhere: CraftedPlace = { root: 'meta', key: 'note' }
    const [twice, held, placer] = [{ client: 987_654_001, clock: 0 }, { client: 987_654_002, clock: 0 }, { client: 987_654_003, clock: 0 }]

    // Held: a run of characters the bottom line holds, sent honestly first.
    const honest = await openRawSocket(`${running.wsUrl}/${boardId}`)
    try {
      honest.send(frames.update(craftedItem(held, { root: 'bluf' }, { string: 'x' })))
      await waitFor(() => blufText(reader.doc).toString() === 'x', 'the honest characters at the reader')
    } finally {
      honest.terminate()
    }
    const judgmentItem = assessmentText(reader.doc, assessmentId, 'judgment')._item!.id
    const attacks: [string, Uint8Array][] = [
      [
        // Yjs applies a client's last run only: the item beside which the embed goes is the bottom line's.
        'a client given two runs, the first in a map, the second in the bottom line',
        craftedRuns([
          { first: twice, items: [{ place: elsewhere, content: { string: 'x' } }] },
          { first: twice, items: [{ place: { root: 'bluf' }, content: { string: 'x' } }] },
          { first: placer, items: [{ place: { after: twice as Y.ID }, content: embed }] },
        ]),
      ],
      [
        'characters the bottom line holds, sent again as put into a map, with an embed beside them',
        craftedRuns([{ first: held, items: [{ place: elsewhere, content: { string: 'x' } }, { place: { after: held as Y.ID }, content: embed }] }]),
      ],
      [
        'the judgment’s text sent again as a new map, with an embed put into it by its id',
        craftedRuns([
          { first: judgmentItem, items: [{ place: elsewhere, content: { map: true } }] },
          { first: placer, items: [{ place: { parent: judgmentItem }, content: embed }] },
        ]),
      ],
    ]
    for (const [what, update] of attacks) {
      const socket = await openRawSocket(`${running.wsUrl}/${boardId}`)
      try {
        socket.send(frames.update(update))
        expect((await socket.closed).code, what).toBe(CLOSE.updateRejected.code)
      } finally {
        socket.terminate()
      }
    }
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    expect(await storedForeignTexts(running, boardId)).toBe(0)
    expect(sharedTexts(reader.doc).filter(hasNonStringContent)).toEqual([])
    expect(Y.getState(reader.doc.store, placer.client)).toBe(0)
  })
})

describe('a board stored with more than characters in its texts', () => {
  it('loads cleaned: the removal is stored as an edit, logged once, and the board reads, exports and takes HTTP edits', async () => {
    const lines: string[] = []
    let running = (server = await startTestServer({ logSink: (line) => lines.push(line) }))
    const { boardId, assessmentId } = await boardWithAssessment(running)
    running = server = await running.restart()
    await storeChange(running, boardId, 'ws:before-the-fix', (doc) => {
      const judgment = assessmentText(doc, assessmentId, 'judgment')
      judgment.insertEmbed(3, { image: 'x' })
      judgment.format(0, 2, { bold: true })
      judgment.insertEmbed(0, new Y.Map())
      judgment.setAttribute('colour', 'red')
      assessmentText(doc, assessmentId, 'title').insert(0, 'Bold ', { bold: true })
      blufText(doc).insert(0, 'Bottom line')
      blufText(doc).insertEmbed(6, new Y.Text('inner'))
    })
    expect(await storedForeignTexts(running, boardId)).toBe(3)
    lines.length = 0

    const api = apiClient(running.url)
    const read = await api.get<BoardModel>(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    expect(read.body.assessments[0]).toMatchObject({ title: 'Bold Target', judgment: 'Judged' })
    expect(read.body.bluf).toBe('Bottom line')
    for (const format of ['md', 'html', 'json']) {
      const exported = await api.get<string>(`/api/boards/${boardId}/export?format=${format}`)
      expect(exported.status, format).toBe(200)
      expect(JSON.stringify(exported.body), format).not.toContain('[object Object]')
    }
    const reader = connect(running, boardId)
    await reader.synced()
    expect(sharedTexts(reader.doc).filter(hasNonStringContent)).toEqual([])
    expect(assessmentText(reader.doc, assessmentId, 'judgment').toDelta()).toEqual([{ insert: 'Judged' }])

    const warnings = lines.filter((line) => line.includes('shared texts'))
    expect(warnings).toHaveLength(1)
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, boardId })
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    expect(await storedForeignTexts(running, boardId)).toBe(0)

    expect((await api.patch(`/api/boards/${boardId}/assessments/${assessmentId}`, { judgment: 'Judged again' })).status).toBe(200)
    await waitFor(() => assessmentText(reader.doc, assessmentId, 'judgment').toString() === 'Judged again', 'the HTTP edit at the reader')
  })
})
