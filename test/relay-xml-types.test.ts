/**
 * Yjs's XML types subclass the board's own (Y.XmlHook a Y.Map, Y.XmlText a
 * Y.Text), so `instanceof` took them for an entry or a title; a hook's name,
 * carried in the type and read by no rule, was bounded only by the frame.
 * Against the real server (red team 36c): an editor's stock client putting
 * one under a new key of a collection, or as a new card's title, is closed
 * 4422 with nothing stored, and the owner's next card is accepted on a board
 * of BOARD_MAX_BYTES 2,000,000 that three 700 KB hooks filled before. A board
 * stored with such hooks before the rule loads without them (the server
 * deletes them as it loads it, server/relay/load-repair.ts), and takes new
 * cards again as soon as that deletion is stored (a full board is compacted
 * and measured again then, not at its next recheck 30 s on); a title stored
 * as a Y.XmlText is given a Y.Text of its characters (shared/plain-fields.ts).
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { collection, COLLECTIONS, entity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { apiClient } from './helpers/api.ts'
import { withStoredDoc, storeChange } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { expectEachRefused, type Attack } from './helpers/refused-attacks.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const HOOK_NAME = 'h'.repeat(700_000)
const SMALL_BOARD = { BOARD_MAX_BYTES: '2000000' }
const CARD = { title: 'A build-up is under way', likelihood: 4, confidence: 'low' }

/** The keys of the board's collections whose value is one of Yjs's XML types, as `collection/key`. */
function xmlEntries(doc: Y.Doc): string[] {
  return COLLECTIONS.flatMap((name) => [...collection(doc, name).entries()].filter(([, value]) => value instanceof Y.Map && value.constructor !== Y.Map).map(([key]) => `${name}/${key}`))
}

async function startWithBoard(env: Record<string, string>) {
  const running = (server = await startTestServer({ env }))
  const api = apiClient(running.url)
  const boardId = await api.createBoard('XML types')
  return { running, api, boardId }
}

describe('Yjs’s XML types on the websocket', () => {
  it('a hook, an element or a fragment as an entry, or an XML text as a card’s title, closes its stock sender 4422, reaches nobody, and the board takes new cards', async () => {
    const { running, api, boardId } = await startWithBoard(SMALL_BOARD)
    expect((await api.post(`/api/boards/${boardId}/assessments`, CARD)).status).toBe(201)
    const bystander = connect(running.wsUrl, boardId)
    const bystanderCodes = closeCodes(bystander)
    await bystander.synced()
    const hookUnder = (key: string) => (doc: Y.Doc) => collection(doc, 'assessments').set(key, new Y.XmlHook(HOOK_NAME))
    const attacks: Attack[] = [
      // Three, as many as filled the board before the rule.
      ['a hook as a card', hookUnder('junk-0')],
      ['a second hook as a card', hookUnder('junk-1')],
      ['a third hook as a card', hookUnder('junk-2')],
      ['an element as a claim', (doc) => collection(doc, 'claims').set('junk-element', new Y.XmlElement(HOOK_NAME))],
      ['a fragment as a source', (doc) => collection(doc, 'sources').set('junk-fragment', new Y.XmlFragment())],
      ['an XML text as a new card’s title', (doc) => collection(doc, 'assessments').set('xml-title', new Y.Map<unknown>([['kind', 'assessment'], ['title', new Y.XmlText('Hidden')]]))],
    ]
    await expectEachRefused(() => connect(running.wsUrl, boardId), attacks)

    const created = await api.post(`/api/boards/${boardId}/assessments`, { ...CARD, title: 'An exercise' })
    expect(created.status).toBe(201)
    const reader = connect(running.wsUrl, boardId)
    await reader.synced()
    expect(xmlEntries(reader.doc)).toEqual([])
    expect(entity(reader.doc, 'assessments', 'xml-title')).toBeUndefined()
    expect(Y.encodeStateAsUpdate(reader.doc).byteLength).toBeLessThan(HOOK_NAME.length)
    expect(await withStoredDoc(running, boardId, (doc) => [xmlEntries(doc), entity(doc, 'assessments', 'xml-title')])).toEqual([[], undefined])
    expect((await api.get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.map((card) => card.title).sort()).toEqual(['A build-up is under way', 'An exercise'])
    expect(bystanderCodes).toEqual([])
  })

  it('a board stored with hooks as cards and an XML text as a title loads without the hooks, the title a shared text, and takes new cards', async () => {
    const lines: string[] = []
    // A full board is measured again, compacted first, every boardFullRecheckMs (30 s by default): an hour here, so that
    // only the measure the load's repair asks for once it is stored can let the board go.
    let running = (server = await startTestServer({ env: { ...SMALL_BOARD, ROOM_IDLE_MS: '0' }, boardFullRecheckMs: 3_600_000, logSink: (line) => lines.push(line) }))
    const api = apiClient(running.url)
    const boardId = await api.createBoard('Stored XML types')
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, CARD)).body.id
    await waitFor(() => !running.services.rooms.loadedRooms.has(boardId), 'the board to unload')
    await storeChange(running, boardId, 'ws:before-the-rule', (doc) => {
      for (const key of ['junk-0', 'junk-1', 'junk-2']) collection(doc, 'assessments').set(key, new Y.XmlHook(HOOK_NAME))
      entity(doc, 'assessments', card)!.set('title', new Y.XmlText('A stored title'))
    })
    expect(await withStoredDoc(running, boardId, xmlEntries)).toHaveLength(3)

    const holder = connect(running.wsUrl, boardId)
    const codes = closeCodes(holder)
    await holder.synced()
    expect(xmlEntries(holder.doc)).toEqual([])
    expect(Y.encodeStateAsUpdate(holder.doc).byteLength).toBeLessThan(HOOK_NAME.length)
    const title = entity(holder.doc, 'assessments', card)!.get('title') as Y.Text
    expect([title.constructor === Y.Text, title.toString()]).toEqual([true, 'A stored title'])
    const warnings = lines.filter((line) => line.includes('other than an entry’s map'))
    expect(warnings.map((line) => JSON.parse(line) as unknown)).toMatchObject([{ level: 40, boardId, entries: 3 }])

    // The board full as stored is no longer once the repair is stored and the board measured again, at load: the owner's
    // next card is accepted, and the title takes typing.
    await waitFor(async () => (await api.post(`/api/boards/${boardId}/assessments`, { ...CARD, title: 'An exercise' })).status === 201, 'the owner’s next card accepted')
    title.insert(0, 'Now: ')
    await waitFor(async () => (await api.get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.some((stored) => stored.title === 'Now: A stored title'), 'the typing stored')
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    expect(await withStoredDoc(running, boardId, xmlEntries)).toEqual([])
    expect(codes).toEqual([])

    // Loaded again, nothing more to delete.
    holder.destroy()
    running = server = await running.restart()
    lines.length = 0
    const again = connect(running.wsUrl, boardId)
    await again.synced()
    expect(xmlEntries(again.doc)).toEqual([])
    expect(lines.filter((line) => line.includes('other than an entry’s map'))).toEqual([])
  })
})
