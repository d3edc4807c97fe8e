/**
 * A board past its size limit (BOARD_MAX_BYTES), against the real server over
 * real sockets: it takes only deletions, every member is shown that it is
 * full, nothing a browser added is lost, and deleting makes room again.
 * Deletions that split runs of characters are taken within its headroom
 * (server/relay/full-board-splits.ts): an analyst trimming a word is saved,
 * a member splitting as much as they can stops at the ceiling; and held
 * changes tried again once the board is full are judged as an update
 * arriving then.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { assessmentText, blufText } from '../shared/board-doc.ts'
import { addAssessment, deleteAssessment } from '../shared/board-mutations.ts'
import { boardFullMessage, MESSAGE_SYNC, type BoardFullNotice, type ServerPresence } from '../shared/protocol.ts'
import { FULL_BOARD_SPLIT_HEADROOM } from '../server/relay/full-board-splits.ts'
import { BYTES_PER_LOADED_STRUCT, structsHeld } from '../server/relay/load-cost.ts'
import type { Room } from '../server/relay/room.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { deniedReasons, frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { openAccess } from './helpers/open-access.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { REDIS_URL, startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

const LIMIT = 65_536
/** About 9.8 KB stored a card: the seventh takes the board past 64 KiB. */
const JUDGMENT = 'An eyewitness account from the border crossing. '.repeat(200)

const servers: TestServer[] = []
const clients: TestClient[] = []
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const socket of sockets.splice(0)) socket.terminate()
  // A first instance made the database the others share and drops it, so it goes last.
  for (const server of servers.splice(0).reverse()) await server.destroy()
})

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ accounts: true, env: { BOARD_MAX_BYTES: String(LIMIT), ...env }, boardFullRecheckMs: 100 })
  servers.push(server)
  return server
}

function connect(server: TestServer, boardId: string, token: string): TestClient {
  const client = connectClient(server.wsUrl, boardId, { token })
  clients.push(client)
  return client
}

/** The board's fullness as a member's page is told it: the server's own presence entry. */
function fullNoticeSeenBy(client: TestClient): BoardFullNotice | null {
  for (const state of client.provider.awareness.getStates().values()) {
    const full = (state as Partial<ServerPresence>).server?.full
    if (full) return full
  }
  return null
}

/** An update that adds content: a bottom line, enough for the server to judge. */
function addition(text: string): Uint8Array {
  const doc = new Y.Doc()
  blufText(doc).insert(0, text)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

describe('a board past its size limit', () => {
  it('takes only deletions: additions over the socket are dropped and their sender told once, over HTTP refused 409; every member sees it is full; deleting makes room, and what was refused is saved once its browser sends it again', async () => {
    const server = await start()
    const [ana, bo] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
    const [anaToken, boToken] = [(await addToken(server, ana)).token, (await addToken(server, bo)).token]
    const asBo = apiClient(server.url, { authorization: `Bearer ${boToken}` })
    const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Filling up')
    await addMember(server, boardId, bo, 'editor')
    const room = () => server.services.rooms.loadedRooms.get(boardId)
    const anaPage = connect(server, boardId, anaToken)
    const boPage = connect(server, boardId, boToken)
    const anaCloses = closeCodes(anaPage)
    await Promise.all([anaPage.synced(), boPage.synced()])

    const cards: string[] = []
    for (;;) {
      cards.push(addAssessment(anaPage.doc, { title: `Card ${cards.length}`, judgment: JUDGMENT }))
      await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === cards.length || undefined, 'the card to be stored')
      if ((await server.services.storage.log.bytes(boardId)) > LIMIT) break
      expect(room()?.full).toBeNull()
    }
    expect(cards).toHaveLength(7)
    const full = await waitFor(() => fullNoticeSeenBy(boPage), 'Bo’s page to be told the board is full')
    expect(full.limit).toBe(LIMIT)
    expect(full.bytes).toBe(await server.services.storage.log.bytes(boardId))

    // Ana's page adds a card: dropped, her socket stays open, and the card stays in her browser.
    addAssessment(anaPage.doc, { title: 'Kept in Ana’s browser', judgment: 'Written while the board was full.' })
    await waitFor(() => [...room()!.connections].some((connection) => connection.deniedOnce), 'Ana’s addition to be refused')
    expect(anaCloses).toEqual([])
    // A raw socket of Bo's is told why, once, and stays open.
    const raw = await openRawSocket(`${server.wsUrl}/${boardId}?token=${boToken}`)
    sockets.push(raw)
    const syncReplies = () => raw.received.filter((frame) => frame[0] === MESSAGE_SYNC).length
    for (const text of ['first', 'second']) {
      const answered = syncReplies()
      raw.send(frames.update(addition(text)))
      // Frames of one socket are handled in order: the answer to this step 1 comes after the addition was.
      raw.send(frames.syncStep1(Y.encodeStateVector(boPage.doc)))
      await waitFor(() => syncReplies() > answered, 'the addition to be handled')
    }
    expect(raw.isClosed()).toBe(false)
    expect(deniedReasons(raw.received)).toEqual([boardFullMessage(full)])
    const refused = await asBo.post<{ error: { code: string; message: string } }>(`/api/boards/${boardId}/assessments`, { title: 'Over HTTP' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('board_full')
    expect(refused.body.error.message).toMatch(/deletions are saved/)
    const stored = await storedBoard(server, boardId)
    expect(stored.assessments.map((card) => card.title).sort()).toEqual(cards.map((_, i) => `Card ${i}`))

    const batch = (operations: unknown[]) => asBo.post<{ error: { code: string } }>(`/api/boards/${boardId}/batch`, { operations })
    const mixed = await batch([
      { op: 'delete', collection: 'assessments', id: cards[0] },
      { op: 'add', collection: 'assessments', input: { title: 'In a batch' } },
    ])
    expect(mixed.status).toBe(409)
    expect(mixed.body.error.code).toBe('board_full')

    // Deleting over HTTP (one item, or a batch of deletions only) and from Ana's page is saved; once compacted, the board is back within its limit.
    expect((await asBo.delete(`/api/boards/${boardId}/assessments/${cards[0]}`)).status).toBe(204)
    expect((await batch([{ op: 'delete', collection: 'assessments', id: cards[1] }])).status).toBe(200)
    for (const id of cards.slice(2, 4)) deleteAssessment(anaPage.doc, id)
    await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 3 || undefined, 'the deletions to be stored')
    await waitFor(() => room()?.full === null && fullNoticeSeenBy(boPage) === null, 'the board to be back within its limit, for Bo’s page too')
    expect(await server.services.storage.log.bytes(boardId)).toBeLessThan(LIMIT)
    expect((await asBo.post(`/api/boards/${boardId}/assessments`, { title: 'Over HTTP, later' })).status).toBe(201)

    // Ana's page sends what it holds again as it reconnects: the card refused while the board was full is saved now.
    anaPage.provider.disconnect()
    anaPage.provider.connect()
    await waitFor(
      async () => (await storedBoard(server, boardId)).assessments.some((card) => card.title === 'Kept in Ana’s browser') || undefined,
      'Ana’s kept card to be stored',
    )
    expect((await storedBoard(server, boardId)).assessments).toHaveLength(5)
  })

  it('is full as it loads (after a restart, or on another instance), stays readable, and an owner’s restore of an earlier snapshot brings it back within its limit', async () => {
    const server = await start({ ROOM_IDLE_MS: '0' })
    const [ana, bo] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
    const [anaToken, boToken] = [(await addToken(server, ana)).token, (await addToken(server, bo)).token]
    const asAna = apiClient(server.url, { authorization: `Bearer ${anaToken}` })
    const asBo = apiClient(server.url, { authorization: `Bearer ${boToken}` })
    const boardId = await asAna.createBoard('Filled while nobody held it')
    await addMember(server, boardId, bo, 'editor')
    expect((await asAna.post(`/api/boards/${boardId}/assessments`, { title: 'Worth keeping' })).status).toBe(201)
    const before = await asAna.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Before the junk' })
    expect(before.status).toBe(201)
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board to unload')

    // Eight cards of junk stored straight into the log, as another instance would have.
    const junk = new Y.Doc()
    const stored = await server.services.storage.log.load(boardId)
    for (const part of [stored.checkpoint, ...stored.updates]) if (part) Y.applyUpdate(junk, part)
    const known = Y.encodeStateVector(junk)
    for (let i = 0; i < 8; i++) addAssessment(junk, { title: `Junk ${i}`, judgment: JUDGMENT })
    await server.services.storage.log.append(boardId, [{ update: Y.encodeStateAsUpdate(junk, known), origin: 'ws:junk' }])
    junk.destroy()

    const boPage = connect(server, boardId, boToken)
    await boPage.synced()
    const full = await waitFor(() => fullNoticeSeenBy(boPage), 'Bo’s page to be told the board is full')
    expect(full).toEqual({ bytes: await server.services.storage.log.bytes(boardId), limit: LIMIT })
    expect(boPage.doc.getMap('assessments').size).toBe(9)
    expect((await asBo.get(`/api/boards/${boardId}`)).status).toBe(200)
    const refused = await asBo.post<{ error: { code: string } }>(`/api/boards/${boardId}/import`, { text: 'A short wire report of troops at the border. [citation: NATO]' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('board_full')

    expect((await asAna.post(`/api/boards/${boardId}/snapshots/${before.body.id}/restore`)).status).toBe(200)
    await waitFor(() => fullNoticeSeenBy(boPage) === null, 'the board to be back within its limit')
    expect((await storedBoard(server, boardId)).assessments.map((card) => card.title)).toEqual(['Worth keeping'])
    expect((await asBo.post(`/api/boards/${boardId}/assessments`, { title: 'Carrying on' })).status).toBe(201)
  })
})

describe('a full board, sent a sync that both adds and deletes', () => {
  it('takes its deletions of what the board holds and drops the rest, its sender told once and its socket left open', async () => {
    const server = await start({ ROOM_IDLE_MS: '0' })
    const bo = await addAccount(server, { name: 'Bo' })
    const boToken = (await addToken(server, bo)).token
    const boardId = await apiClient(server.url, { authorization: `Bearer ${boToken}` }).createBoard('Filled while nobody held it')
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board to unload')
    // Eight cards of junk stored straight into the log: the board is full as it loads.
    const junk = new Y.Doc()
    const stored = await server.services.storage.log.load(boardId)
    for (const part of [stored.checkpoint, ...stored.updates]) if (part) Y.applyUpdate(junk, part)
    const before = Y.encodeStateVector(junk)
    const junkIds: string[] = []
    for (let i = 0; i < 8; i++) junkIds.push(addAssessment(junk, { title: `Junk ${i}`, judgment: JUDGMENT }))
    await server.services.storage.log.append(boardId, [{ update: Y.encodeStateAsUpdate(junk, before), origin: 'ws:junk' }])
    const boPage = connect(server, boardId, boToken)
    await boPage.synced()
    const full = await waitFor(() => fullNoticeSeenBy(boPage), 'Bo’s page to be told the board is full')

    // What a page back from offline sends: two junk cards deleted, a card added, and a card both added and deleted.
    const known = Y.encodeStateVector(junk)
    for (const id of junkIds.slice(0, 2)) deleteAssessment(junk, id)
    addAssessment(junk, { title: 'Added while full' })
    deleteAssessment(junk, addAssessment(junk, { title: 'Added and deleted offline' }))
    const mixed = Y.encodeStateAsUpdate(junk, known)
    junk.destroy()
    const raw = await openRawSocket(`${server.wsUrl}/${boardId}?token=${boToken}`)
    sockets.push(raw)
    raw.send(frames.update(mixed))

    await waitFor(async () => (await storedBoard(server, boardId)).assessments.length === 6 || undefined, 'the two deletions to be stored')
    expect((await storedBoard(server, boardId)).assessments.map((card) => card.title).sort()).toEqual(junkIds.slice(2).map((_, i) => `Junk ${i + 2}`))
    await waitFor(() => boPage.doc.getMap('assessments').size === 6 || undefined, 'Bo’s page to see them')
    await waitFor(() => deniedReasons(raw.received).length > 0 || undefined, 'the sender to be told')
    expect(deniedReasons(raw.received)).toEqual([boardFullMessage(full)])
    expect(raw.isClosed()).toBe(false)
  })
})

describeUnless(await missingServices('postgres', 'redis'))('a board past its size limit, on several instances', () => {
  it('is full on an instance once it commits past the limit there, and every instance lets it go once deleting elsewhere made room', async () => {
    const instance = async (database?: string) => {
      const server = await startTestServer({
        dialect: 'postgres',
        database,
        access: () => openAccess(),
        env: { BOARD_MAX_BYTES: String(LIMIT), REDIS_URL },
        boardFullRecheckMs: 100,
      })
      servers.push(server)
      return server
    }
    const one = await instance()
    const two = await instance(one.database)
    const boardId = await apiClient(one.url).createBoard('Shared')
    const roomOn = (server: TestServer) => server.services.rooms.loadedRooms.get(boardId)
    const connectOpen = (server: TestServer) => {
      const client = connectClient(server.wsUrl, boardId)
      clients.push(client)
      return client
    }
    const [onOne, onTwo] = [connectOpen(one), connectOpen(two)]
    await Promise.all([onOne.synced(), onTwo.synced()])

    const cards: string[] = []
    while ((await one.services.storage.log.bytes(boardId)) <= LIMIT) {
      cards.push(addAssessment(onOne.doc, { title: `Card ${cards.length}`, judgment: JUDGMENT }))
      await waitFor(() => onTwo.doc.getMap('assessments').size === cards.length || undefined, 'the card to reach the other instance')
    }
    await waitFor(() => roomOn(one)?.full, 'the first instance to find the board full')
    // The second instance learns it at its next commit: that one change passes, the next does not.
    addAssessment(onTwo.doc, { title: 'Passes on the second instance', judgment: 'Short.' })
    await waitFor(() => roomOn(two)?.full, 'the second instance to find the board full')
    addAssessment(onTwo.doc, { title: 'Kept in the browser', judgment: 'Short.' })
    await waitFor(() => [...roomOn(two)!.connections].some((connection) => connection.deniedOnce), 'the second addition to be refused')
    expect((await storedBoard(one, boardId)).assessments.map((card) => card.title)).not.toContain('Kept in the browser')

    for (const id of cards.slice(0, 4)) deleteAssessment(onOne.doc, id)
    await waitFor(() => roomOn(one)?.full === null && roomOn(two)?.full === null, 'both instances to let the board go')
    onTwo.provider.disconnect()
    onTwo.provider.connect()
    await waitFor(async () => (await storedBoard(one, boardId)).assessments.some((card) => card.title === 'Kept in the browser') || undefined, 'the kept card to be stored')
  })
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
  const server = await start({ BOARD_MAX_BYTES: String(limit) })
  const [anaAccount, boAccount] = [await addAccount(server, { name: 'Ana' }), await addAccount(server, { name: 'Bo' })]
  const [anaToken, boToken] = [(await addToken(server, anaAccount)).token, (await addToken(server, boAccount)).token]
  const boardId = await apiClient(server.url, { authorization: `Bearer ${anaToken}` }).createBoard('Filling up')
  await addMember(server, boardId, boAccount, 'editor')
  const [ana, bo] = [connect(server, boardId, anaToken), connect(server, boardId, boToken)]
  await Promise.all([ana.synced(), bo.synced()])
  return { server, boardId, room: () => server.services.rooms.loadedRooms.get(boardId)!, ana, bo, anaToken }
}

/** Whether the room told the named person's connection that the board is full. */
function told(room: Room, name: string): boolean {
  return [...room.connections].some((connection) => connection.identity.name === name && connection.deniedOnce)
}

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

describe('a full board, trimmed and tried again', () => {
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
})
