/**
 * A board made dense in structs within every allowance (red team 38a): long
 * judgments with every other character deleted, as one stock client's
 * transaction writes it. Loading such a board costs its structs, not its
 * stored bytes (a 3.4 MB board of 1.14 million structs held the relay 12 to
 * 18 s): its load, its writes and its size are counted by its structs
 * (load-cost.ts, written-cost.ts), against the real server, SQLite.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment } from '../shared/board-mutations.ts'
import { UPGRADE_REFUSED } from '../shared/protocol.ts'
import { BYTES_PER_LOADED_STRUCT } from '../server/relay/load-cost.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { refusedUpgrade } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const servers: TestServer[] = []
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const server of servers.splice(0)) await server.destroy()
})

/** Characters of the dense text: 4,000 structs once every other one is deleted. */
const LENGTH = 4_000

/** Deletes every other character of `text` in one transaction, as a page selecting them all would: one range each. */
function deleteEveryOther(text: Y.Text): void {
  text.doc!.transact(() => {
    // Each deletion moves the characters after it one place back: the next to delete is then one place on.
    for (let at = 1; at <= LENGTH / 2; at++) text.delete(at, 1)
  })
}

/**
 * A board's log rows writing a text of LENGTH characters, then deleting every
 * other one, as a page's two updates are stored (a compaction's checkpoint
 * would write each struct in full).
 */
function denseRows(): Uint8Array[] {
  const doc = new Y.Doc()
  const text = doc.getText('notes')
  const rows: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => rows.push(update))
  text.insert(0, 'ab'.repeat(LENGTH / 2))
  deleteEveryOther(text)
  doc.destroy()
  return rows
}

/** Two people, each with a token, and two dense boards stored while nobody holds them, both editors of each. */
async function denseBoards(server: TestServer): Promise<{ tokens: string[]; boards: string[] }> {
  const owner = await addAccount(server, { name: 'Owner' })
  const asOwner = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const people = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Hugo' })]
  const tokens = await Promise.all(people.map(async (person) => (await addToken(server, person)).token))
  const boards: string[] = []
  for (const title of ['Dense 1', 'Dense 2']) {
    const boardId = await asOwner.createBoard(title)
    for (const person of people) await addMember(server, boardId, person, 'editor')
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the new board to unload')
    await server.services.storage.log.append(boardId, denseRows().map((update) => ({ update, origin: 'server' })))
    boards.push(boardId)
  }
  return { tokens, boards }
}

/** Three dense boards' stored bytes, far less than one's structs count for. */
function threeBoardsStored(): number {
  const bytes = 3 * denseRows().reduce((sum, row) => sum + row.byteLength, 0)
  expect(LENGTH * BYTES_PER_LOADED_STRUCT).toBeGreaterThan(3 * bytes)
  return bytes
}

it('a dense board’s load counts its structs against the instance’s minute: the next board nobody holds is refused 429, where its stored bytes would have let three load', async () => {
  // A sixth of the minute at once and the half of it below empty down to which it loads for others: eight boards'
  // stored bytes, less than one's structs.
  const server = await startTestServer({ accounts: true, env: { LOADED_BYTES_PER_MINUTE: String(4 * threeBoardsStored()), ROOM_IDLE_MS: '0' } })
  servers.push(server)
  const { tokens, boards } = await denseBoards(server)
  expect((await refusedUpgrade(`${server.wsUrl}/${boards[0]}?token=${tokens[0]}`)).status).toBe(101)
  expect(await refusedUpgrade(`${server.wsUrl}/${boards[1]}?token=${tokens[1]}`)).toEqual({ status: UPGRADE_REFUSED.loadingTooMuch.status, retryAfter: '5' })
  expect(server.services.rooms.loadedRooms.has(boards[1]!)).toBe(false)
})

it('a dense board’s load counts its structs against its person’s minute: their next load is refused loading_too_much', async () => {
  // The least a person's minute may be: two boards' stored bytes, less than one's structs.
  const minute = 65_536
  expect(threeBoardsStored()).toBeLessThan(minute)
  expect(LENGTH * BYTES_PER_LOADED_STRUCT).toBeGreaterThan(minute)
  const server = await startTestServer({ accounts: true, env: { LOADED_BYTES_PER_MINUTE_PER_PERSON: String(minute), ROOM_IDLE_MS: '0' } })
  servers.push(server)
  const { tokens, boards } = await denseBoards(server)
  expect((await refusedUpgrade(`${server.wsUrl}/${boards[0]}?token=${tokens[0]}`)).status).toBe(101)
  const change = await apiClient(server.url, { authorization: `Bearer ${tokens[0]}` }).post<{ error: { code: string } }>(`/api/boards/${boards[1]}/assessments`, { title: 'Loads the board' })
  expect([change.status, change.body.error?.code]).toEqual([429, 'loading_too_much'])
  // The other person has loaded nothing: the same board loads on them.
  expect((await refusedUpgrade(`${server.wsUrl}/${boards[1]}?token=${tokens[1]}`)).status).toBe(101)
})

/** Ana's page on a board of her own, with a card whose judgment holds LENGTH characters, stored. */
async function anaWithLongCard(server: TestServer): Promise<{ page: TestClient; boardId: string; cardId: string; asAna: ReturnType<typeof apiClient> }> {
  const ana = await addAccount(server, { name: 'Ana' })
  const asAna = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, ana)).token}` })
  const token = (await addToken(server, ana)).token
  const boardId = await asAna.createBoard('Dense')
  const page = connectClient(server.wsUrl, boardId, { token })
  clients.push(page)
  await page.synced()
  const cardId = addAssessment(page.doc, { title: 'A title of several words', judgment: 'ab'.repeat(LENGTH / 2) })
  await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 1 || undefined, 'the card to be stored')
  return { page, boardId, cardId, asAna }
}

it('deleting every other character counts 48 bytes a range against the hour’s written bytes: the next change is refused written_too_much', async () => {
  // The card and the deletions' bytes fit the hour many times over; their ranges at 48 bytes each do not.
  const server = await startTestServer({ accounts: true, env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(64 * 1024) } })
  servers.push(server)
  const { page, boardId, cardId, asAna } = await anaWithLongCard(server)
  deleteEveryOther(assessmentText(page.doc, cardId, 'judgment'))
  await waitFor(async () => (await storedBoard(server, boardId)).assessments[0]?.judgment.length === LENGTH / 2 || undefined, 'the deletions to be stored')
  const next = await asAna.post<{ error: { code: string } }>(`/api/boards/${boardId}/assessments`, { title: 'One more' })
  expect([next.status, next.body.error?.code]).toEqual([429, 'written_too_much'])
})

it('a board dense in structs is full as a board that costs as much to load is: it refuses additions and deletions that split items, and deleting the dense card makes room', async () => {
  const limit = 64 * 1024
  const server = await startTestServer({ accounts: true, env: { BOARD_MAX_BYTES: String(limit) }, boardFullRecheckMs: 100 })
  servers.push(server)
  const { page, boardId, cardId, asAna } = await anaWithLongCard(server)
  const room = () => server.services.rooms.loadedRooms.get(boardId)
  expect(room()?.full).toBeNull()
  deleteEveryOther(assessmentText(page.doc, cardId, 'judgment'))
  const full = await waitFor(() => room()?.full, 'the board to be full')
  expect(full.bytes).toBeGreaterThan(limit)
  expect(await server.services.storage.log.bytes(boardId)).toBeLessThan(limit)
  const refused = await asAna.post<{ error: { code: string } }>(`/api/boards/${boardId}/assessments`, { title: 'Over HTTP' })
  expect([refused.status, refused.body.error?.code]).toEqual([409, 'board_full'])

  // A character deleted inside the title splits its one item in three: dropped, and its page told once.
  assessmentText(page.doc, cardId, 'title').delete(5, 1)
  await waitFor(() => [...room()!.connections].some((connection) => connection.deniedOnce), 'the splitting deletion to be refused')
  await room()!.whenSaved()
  expect((await storedBoard(server, boardId)).assessments[0]?.title).toBe('A title of several words')

  // Deleting the whole card cuts no item: taken, and the board is let go once compacted.
  deleteAssessment(page.doc, cardId)
  await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 0 || undefined, 'the card’s deletion to be stored')
  await waitFor(() => room()?.full === null || undefined, 'the board to have room again')
  expect((await asAna.post(`/api/boards/${boardId}/assessments`, { title: 'Fits again' })).status).toBe(201)
})
