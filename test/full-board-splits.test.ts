/**
 * What a full board takes of deletions that split runs of characters, against
 * the real server with stock clients (SQLite): within its headroom
 * (server/relay/full-board-splits.ts) an analyst trimming a word is saved; a
 * member splitting as much as they can stops at the ceiling; and held changes
 * tried again once the board is full are judged as an update arriving then.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment } from '../shared/board-mutations.ts'
import { boardFullMessage } from '../shared/protocol.ts'
import { FULL_BOARD_SPLIT_HEADROOM } from '../server/relay/full-board-splits.ts'
import { BYTES_PER_LOADED_STRUCT, structsHeld } from '../server/relay/load-cost.ts'
import type { Room } from '../server/relay/room.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { deniedReasons, frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const LIMIT = 65_536
/** About 9.8 KB stored a card: the seventh takes the board past 64 KiB. */
const JUDGMENT = 'An eyewitness account from the border crossing. '.repeat(200)

const servers: TestServer[] = []
const clients: TestClient[] = []
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  for (const server of servers.splice(0)) await server.destroy()
})

type Board = { server: TestServer; boardId: string; room: () => Room; ana: TestClient; bo: TestClient; anaToken: string }

/** Ana's board, Bo an editor of it, both pages open, filled by Ana's page with cards until it is full by its stored bytes. */
async function fullBoard(): Promise<Board & { cards: string[] }> {
  const board = await boardOfTwo(LIMIT)
  const cards: string[] = []
  while ((await board.server.services.storage.log.bytes(board.boardId)) <= LIMIT) {
    cards.push(addAssessment(board.ana.doc, { title: `Report from the crossing ${cards.length}`, judgment: JUDGMENT }))
    await waitFor(async () => (await storedBoard(board.server, board.boardId)).assessments.length === cards.length || undefined, 'the card to be stored')
  }
  await waitFor(() => board.room().full, 'the board to be full')
  await waitFor(() => cards.every((card) => board.bo.doc.getMap('assessments').has(card)) || undefined, 'Bo’s page to hold every card')
  return { ...board, cards }
}

async function boardOfTwo(limit: number): Promise<Board> {
  const server = await startTestServer({ accounts: true, env: { BOARD_MAX_BYTES: String(limit) }, boardFullRecheckMs: 100 })
  servers.push(server)
  const [anaAccount, boAccount] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
  const [anaToken, boToken] = [(await addToken(server, anaAccount)).token, (await addToken(server, boAccount)).token]
  const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Filling up')
  await addMember(server, boardId, boAccount, 'editor')
  const [ana, bo] = [connectClient(server.wsUrl, boardId, { token: anaToken }), connectClient(server.wsUrl, boardId, { token: boToken })]
  clients.push(ana, bo)
  await Promise.all([ana.synced(), bo.synced()])
  return { server, boardId, room: () => server.services.rooms.loadedRooms.get(boardId)!, ana, bo, anaToken }
}

/** Whether the room told the named person's connection that the board is full. */
function told(room: Room, name: string): boolean {
  return [...room.connections].some((connection) => connection.identity.name === name && connection.deniedOnce)
}

it('a full board saves a backspace inside a word, and a part of a sentence deleted: they split runs of characters, within its headroom', async () => {
  const { server, boardId, room, ana, cards } = await fullBoard()
  const title = assessmentText(ana.doc, cards[0]!, 'title')
  // "Report" loses its "p": the title's one run of characters is split in three.
  title.delete(2, 1)
  const judgment = assessmentText(ana.doc, cards[1]!, 'judgment')
  judgment.delete(3, 'eyewitness '.length)
  await waitFor(async () => {
    const stored = (await storedBoard(server, boardId)).assessments
    return (stored[0]?.title === 'Reort from the crossing 0' && stored[1]?.judgment.startsWith('An account from the border crossing. An eyewitness')) || undefined
  }, 'the trimmed title and judgment to be stored')
  expect(room().full).not.toBeNull()
  expect(told(room(), 'Ana')).toBe(false)
})

it('a member deleting every other character of a full board’s cards stops at the ceiling: splits past the headroom are dropped, and they are told', async () => {
  const { server, boardId, room, bo, cards } = await fullBoard()
  const ceiling = Math.floor((LIMIT * (1 + FULL_BOARD_SPLIT_HEADROOM)) / BYTES_PER_LOADED_STRUCT)
  const before = structsHeld(room().doc)
  // A judgment's every other character, in one transaction, as a stock client writes it: far more splits than the headroom holds.
  const judgment = assessmentText(bo.doc, cards[0]!, 'judgment')
  bo.doc.transact(() => {
    for (let at = 1; at < judgment.length; at++) judgment.delete(at, 1)
  })
  expect(JUDGMENT.length).toBeGreaterThan(2 * (ceiling - before))
  await waitFor(() => told(room(), 'Bo'), 'Bo to be told the board is full')
  await waitFor(async () => {
    await room().whenSaved()
    return structsHeld(room().doc) * BYTES_PER_LOADED_STRUCT > LIMIT || undefined
  }, 'the splits within the headroom to be taken')
  expect(structsHeld(room().doc)).toBeLessThanOrEqual(ceiling)
  // Once the headroom is spent, a backspace inside a word is dropped too; deleting a whole card, sent after it, is taken.
  assessmentText(bo.doc, cards[0]!, 'title').delete(2, 1)
  deleteAssessment(bo.doc, cards.at(-1)!)
  await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === cards.length - 1 || undefined, 'the card’s deletion to be stored')
  expect((await storedBoard(server, boardId)).assessments[0]?.title).toBe('Report from the crossing 0')
})

/** The updates a page's doc, under a client id of its own, writes for each of `transactions`, in order. */
function pageUpdates(...transactions: ((doc: Y.Doc) => unknown)[]): Uint8Array[] {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (const transaction of transactions) transaction(doc)
  doc.destroy()
  expect(updates).toHaveLength(transactions.length)
  return updates
}

/** Cards of 20,000 characters (about 20 KB stored each), added in one transaction. */
function addLongCards(doc: Y.Doc, count: number, title: string): void {
  doc.transact(() => {
    for (let i = 0; i < count; i++) addAssessment(doc, { title: `${title} ${i}`, judgment: 'x'.repeat(20_000) })
  })
}

it('held changes tried again once the board is full are judged as an update arriving then: their additions are dropped and their sender told', async () => {
  // A board of 1 MiB: 40 long cards fit, 60 do not.
  const limit = 1024 * 1024
  const { server, boardId, room, anaToken } = await boardOfTwo(limit)
  const raw = await openRawSocket(`${server.wsUrl}/${boardId}?token=${anaToken}`)
  sockets.push(raw)
  const count = async () => (await storedBoard(server, boardId)).assessments.length
  // 800 KB held, then what it waited for: applied and stored, its sender's next held changes waiting some 6 s their turn (held-updates.ts).
  const [lead, many] = pageUpdates(
    (doc) => addAssessment(doc, { title: 'Lead' }),
    (doc) => addLongCards(doc, 40, 'Long'),
  )
  raw.send(frames.update(many!))
  raw.send(frames.update(lead!))
  await waitFor(async () => (await count()) === 41 || undefined, 'the held cards to be stored')
  expect(room().full).toBeNull()
  // A card held for the 400 KB it follows, which then arrive and fill the board: the card can apply, once its turn comes.
  const [filler, late] = pageUpdates(
    (doc) => addLongCards(doc, 20, 'Filler'),
    (doc) => addAssessment(doc, { title: 'Held while the board had room' }),
  )
  raw.send(frames.update(late!))
  raw.send(frames.update(filler!))
  const full = await waitFor(() => room().full, 'the board to be full', 20_000)
  const titles = () => Object.values(room().doc.getMap('assessments').toJSON() as Record<string, { title: string }>).map((card) => card.title)
  // The held card was not tried before the board was full: it waits its turn.
  expect(titles()).not.toContain('Held while the board had room')
  await waitFor(() => deniedReasons(raw.received).length > 0 || undefined, 'the held card’s sender to be told the board is full', 20_000)
  expect(deniedReasons(raw.received)).toEqual([boardFullMessage(full)])
  await room().whenSaved()
  expect(titles()).not.toContain('Held while the board had room')
  expect((await storedBoard(server, boardId)).assessments.map((card) => card.title)).not.toContain('Held while the board had room')
})
